package ui

import (
	"sync"
	"testing"

	"relview/library"
)

// coverFake is a fake library that can say how far its relational space is
// filled, as *library.Library does.
type coverFake struct {
	*fakeSource
	mu sync.Mutex
	c  library.Coverage
}

func (f *coverFake) SpaceCoverage(space string) (library.Coverage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.c
	c.Space = space
	return c, nil
}

func TestRelationalCoverageNote(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	if b.nb.rel.cover.Visible() {
		t.Fatalf("a source without coverage shows %q", b.nb.rel.cover.Text)
	}
	// The same catalog, now able to say how far its relational space is
	// filled (swapped in place: SetSource would reload the gallery too).
	src := &coverFake{fakeSource: b.src.(*fakeSource), c: library.Coverage{Have: 812, Total: 3108, Deferred: true}}
	b.src = src
	b.updateCoverage()
	settle(b)
	if !b.nb.rel.cover.Visible() || b.nb.rel.cover.Text != "Objects analysed in 812 of 3108 photos (for why)" {
		t.Errorf("relational column note %q (visible %t)", b.nb.rel.cover.Text, b.nb.rel.cover.Visible())
	}
	if b.nb.vis.cover.Visible() {
		t.Errorf("visual column shows a coverage note %q", b.nb.vis.cover.Text)
	}
	src.mu.Lock()
	src.c.Have = 3108
	src.mu.Unlock()
	b.updateCoverage()
	settle(b)
	if b.nb.rel.cover.Visible() {
		t.Errorf("complete space still notes %q", b.nb.rel.cover.Text)
	}
}
