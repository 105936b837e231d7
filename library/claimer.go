package library

import (
	"sync"

	"relview/engine"
)

// claimer hands out catalogued rows to new files with the same content.
type claimer struct {
	mu      sync.Mutex
	missing map[string][]*catalogRow // gone rows by hash: a new file with that hash is a move
	present map[string]*catalogRow   // present rows by hash: a new file with that hash is a copy
	claimed map[int64]bool
	done    map[string]*encodedFile // encoded this run, by hash: a later copy reuses the vectors
}

// encodedFile is a file encoded this run. Its vectors are kept only until
// the writer has committed its row (id set): a later copy then copies the
// row in the catalog, so a first index of 100k photos does not hold 100k
// sets of vectors (about 30 KB each) until it ends.
type encodedFile struct {
	width, height int
	format        string
	vectors       engine.Vectors
	id            int64
}

// finished records a file encoded this run so its copies need no decoding.
func (c *claimer) finished(r *result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[string]*encodedFile{}
	}
	if _, ok := c.done[r.hash]; !ok {
		c.done[r.hash] = &encodedFile{width: r.width, height: r.height, format: r.format, vectors: r.vectors}
	}
}

// written records that the file with content hash h, encoded this run, is
// committed as row id: its vectors are dropped.
func (c *claimer) written(h string, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.done[h]; d != nil && d.id == 0 {
		d.id, d.vectors = id, nil
	}
}

// encoded returns a file with content hash h encoded earlier in this run:
// either its vectors or, once it is committed, its row id.
func (c *claimer) encoded(h string) (encodedFile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.done[h]
	if d == nil {
		return encodedFile{}, false
	}
	return *d, true
}

// claim returns a row the file with hash h can take over (moved=true) or
// copy vectors from (moved=false), or nil.
func (c *claimer) claim(h string) (row *catalogRow, moved bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs := c.missing[h]; len(rs) > 0 {
		row, c.missing[h] = rs[0], rs[1:]
		if c.claimed == nil {
			c.claimed = map[int64]bool{}
		}
		c.claimed[row.ID] = true
		return row, true
	}
	if r := c.present[h]; r != nil {
		return r, false
	}
	return nil, false
}

func (c *claimer) wasClaimed(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.claimed[id]
}
