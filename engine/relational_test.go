package engine

import "testing"

func TestRelationalLayout(t *testing.T) {
	if got := orbitLen(relCoarse); got != relCoarseLen {
		t.Errorf("orbitLen(%d) = %d, relCoarseLen = %d", relCoarse, got, relCoarseLen)
	}
	if got := orbitLen(relFine); got != relFineLen {
		t.Errorf("orbitLen(%d) = %d, relFineLen = %d", relFine, got, relFineLen)
	}
}
