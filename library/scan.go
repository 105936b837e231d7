package library

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"relview/engine"
)

// fileEntry is one regular file the scan found.
type fileEntry struct {
	Rel   string // relative to the library folder, '/'-separated
	Size  int64
	MTime int64 // Unix nanoseconds
}

// Problem is a file or folder the scan could not read, or a link it would not
// follow. It is recorded, never fatal.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// scanResult is everything one walk found.
type scanResult struct {
	Files    []fileEntry
	Problems []Problem
	// Unread are folders whose content is unknown this time (unreadable): the
	// refresh keeps their catalogued files instead of deleting them.
	Unread []string
}

// imageExts are the extensions relview treats as images even when the
// content does not say so (so a broken .jpg is reported, not ignored).
var imageExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true, ".gif": true,
	".bmp": true, ".dib": true, ".tif": true, ".tiff": true, ".webp": true,
	".heic": true, ".heif": true, ".avif": true,
	// Listed so they are reported as not supported, not skipped in silence.
	".jp2": true, ".j2k": true, ".jpf": true, ".jpx": true, ".jxl": true,
}

// hasImageExt reports whether name ends in an image extension.
func hasImageExt(name string) bool {
	return imageExts[strings.ToLower(path.Ext(name))]
}

// sniffFormat names the image format that the first bytes of a file announce,
// or "" when they match none relview decodes.
func sniffFormat(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "gif"
	case bytes.HasPrefix(head, []byte("BM")) && len(head) >= 14:
		return "bmp"
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return "tiff"
	case len(head) >= 12 && bytes.Equal(head[:4], []byte("RIFF")) && bytes.Equal(head[8:12], []byte("WEBP")):
		return "webp"
	}
	return ""
}

// sniffFile reads the first bytes of a file and names its image format.
func sniffFile(abs string) (string, error) {
	f, _, err := engine.OpenRegular(abs)
	if err != nil {
		return "", err
	}
	defer f.Close()
	head := make([]byte, 16)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	return sniffFormat(head[:n]), nil
}

// hidden reports whether a file or folder name is hidden (dot-file).
func hidden(name string) bool { return strings.HasPrefix(name, ".") }

// scanner walks a library folder. It never follows a symbolic link to a
// folder (so no link can make a loop), follows links to files, and skips
// hidden names and the library's own cache folder (should the user have put
// it inside the photo folder).
type scanner struct {
	root     string // absolute folder
	skipDir  string // absolute cache folder of this library, never scanned
	res      scanResult
	isCandid func(rel string, e fileEntry) bool // may the file be an image? (nil: all)
}

// walk scans the folder rel ("" = the root), recursively.
func (s *scanner) walk(rel string) {
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	if s.skipDir != "" && abs == s.skipDir {
		return
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		s.res.Problems = append(s.res.Problems, Problem{Path: relOrDot(rel), Reason: "folder unreadable: " + errReason(err)})
		s.res.Unread = append(s.res.Unread, rel)
		// ReadDir returns what it read before the error; keep going with that.
	}
	for _, d := range ents {
		name := d.Name()
		if hidden(name) {
			continue
		}
		childRel := path.Join(rel, name)
		switch {
		case d.IsDir():
			s.walk(childRel)
		case d.Type()&fs.ModeSymlink != 0:
			st, err := os.Stat(filepath.Join(abs, name))
			if err != nil {
				s.res.Problems = append(s.res.Problems, Problem{Path: childRel, Reason: "broken or looping link: " + errReason(err)})
				continue
			}
			if st.IsDir() {
				// Not followed: a link to a folder can form a loop or index
				// the same photos twice.
				continue
			}
			if st.Mode().IsRegular() {
				s.addFile(childRel, st)
			} else {
				s.special(childRel, st.Mode(), "a link to ")
			}
		case !d.Type().IsRegular():
			s.special(childRel, d.Type(), "")
		default:
			st, err := d.Info()
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					s.res.Problems = append(s.res.Problems, Problem{Path: childRel, Reason: "unreadable: " + errReason(err)})
				}
				continue
			}
			s.addFile(childRel, st)
		}
	}
}

// special records a FIFO, device or socket that has an image's name: it is
// never opened (a FIFO would block), but the user learns why it is not in
// the gallery.
func (s *scanner) special(rel string, mode fs.FileMode, prefix string) {
	if !hasImageExt(rel) {
		return
	}
	kind := "special file"
	switch {
	case mode&fs.ModeNamedPipe != 0:
		kind = "named pipe (FIFO)"
	case mode&fs.ModeCharDevice != 0:
		kind = "character device"
	case mode&fs.ModeDevice != 0:
		kind = "block device"
	case mode&fs.ModeSocket != 0:
		kind = "socket"
	}
	s.res.Problems = append(s.res.Problems, Problem{Path: rel, Reason: "not a regular file: " + prefix + kind})
}

func (s *scanner) addFile(rel string, st fs.FileInfo) {
	e := fileEntry{Rel: rel, Size: st.Size(), MTime: st.ModTime().UnixNano()}
	if s.isCandid != nil && !s.isCandid(rel, e) {
		return
	}
	s.res.Files = append(s.res.Files, e)
}

func relOrDot(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

// errReason is the short cause of a file-system error, without the path
// (the path is recorded beside it).
func errReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// toRel turns a path inside root into its '/'-separated relative form; ok is
// false for a path outside root.
func toRel(root, abs string) (string, bool) {
	r, err := filepath.Rel(root, abs)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// underAny reports whether rel is one of dirs or inside one of them.
func underAny(rel string, dirs []string) bool {
	for _, d := range dirs {
		if d == "" || rel == d || strings.HasPrefix(rel, d+"/") {
			return true
		}
	}
	return false
}

// FormatBytes renders a byte count for people: "1.5 MiB".
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// scanPath scans one relative path of a scope: a file, a folder (recursively)
// or nothing (it is gone).
func (s *scanner) scanPath(rel string) {
	rel = path.Clean(filepath.ToSlash(rel))
	if rel == "." || rel == "/" {
		rel = ""
	}
	for _, part := range strings.Split(rel, "/") {
		if hidden(part) {
			return
		}
	}
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	st, err := os.Lstat(abs)
	if err != nil {
		return
	}
	switch {
	case st.IsDir():
		s.walk(rel)
	case st.Mode()&os.ModeSymlink != 0:
		if t, err := os.Stat(abs); err == nil && t.Mode().IsRegular() {
			s.addFile(rel, t)
		}
	case st.Mode().IsRegular():
		s.addFile(rel, st)
	}
}
