/*
 * bcryptprimitives.dll for Wine 8 only: ProcessPrng, the one function of it
 * that the Go runtime (Go >= 1.22) loads from System32 at start-up. Windows
 * 10 and later ship the real DLL; Debian 12's Wine 8.0 does not have it, and
 * without it every Go program dies with "bcryptprimitives.dll not found".
 * scripts/windows/wine-env.sh builds this with mingw and puts it into the
 * test Wine prefix only; it is never part of the release .zip.
 *
 * ProcessPrng fills data with len bytes from the system's preferred random
 * number generator (BCryptGenRandom, which Wine implements).
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
