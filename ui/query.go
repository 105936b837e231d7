package ui

import (
	"fmt"
	"image"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"relview/engine"
	"relview/library"
)

// The query: a photo of the library (or a dropped file) whose neighbours
// fill both columns, its large preview and its similarity map. Each new
// query starts a generation; results of an older one are dropped.

// showQuery shows photo id and fills both columns in the background.
func (b *Browser) showQuery(id int64) {
	im, ok := b.byID[id]
	if !ok {
		return
	}
	b.query = id
	b.external = ""
	b.queryGen.next()
	b.queryStart = time.Now()
	// The thumbnail at once, the sharper preview when decoded.
	var thumb image.Image
	if b.thumbs != nil {
		thumb, _ = b.thumbs.cached(im)
	}
	b.nb.showQuery(im.Path, describe(im), "Searching…", thumb)
	b.gallery.selectInGrid(id, true)
	b.updateNav()
	b.runQuery(im)
	b.loadPreview(im)
	b.loadMap()
}

// refreshQuery recomputes the columns (the analogies toggle or k changed).
func (b *Browser) refreshQuery() {
	if im, ok := b.byID[b.query]; ok && b.query != 0 {
		b.queryGen.next()
		b.queryStart = time.Now()
		b.runQuery(im)
	}
}

// neighbours is what fills the two columns.
type neighbours struct {
	rel, vis       []hit
	relErr, visErr error
}

func (b *Browser) runQuery(im library.Image) {
	src, k := b.src, b.cfg.K
	if src == nil {
		return
	}
	analog, w := b.nb.analogies.Checked, b.cfg.AnalogyWeight
	byID := b.byID // replaced, never modified, by setImages
	spawn(b.work, b.queryGen.now(), func() (r neighbours) {
		if analog {
			pts, err := src.Scatter(im.ID)
			r.relErr = err
			if err == nil {
				r.rel = analogies(pts, im.ID, w, k, func(id int64) (library.Image, bool) {
					x, ok := byID[id]
					return x, ok
				})
			}
		} else {
			ns, err := src.NeighboursByID(im.ID, engine.Relational, k)
			r.rel, r.relErr = hitsOf(ns), err
		}
		ns, err := src.NeighboursByID(im.ID, engine.Visual, k)
		r.vis, r.visErr = hitsOf(ns), err
		return r
	}, func(r neighbours) {
		b.nb.fill(r.rel, r.vis, r.relErr, r.visErr, b.thumbs)
		b.debugf("neighbours relational=%d visual=%d query=%s analogies=%t ms=%.1f",
			len(r.rel), len(r.vis), im.Path, analog, float64(time.Since(b.queryStart).Microseconds())/1000)
	})
}

// loadPreview decodes the query photo for the large view.
func (b *Browser) loadPreview(im library.Image) {
	src := b.src
	if src == nil {
		return
	}
	spawn(b.work, b.queryGen.now(), func() image.Image {
		img, err := src.Preview(im, 1200)
		if err != nil {
			return nil // the thumbnail stays
		}
		return img
	}, func(img image.Image) {
		if img != nil {
			b.nb.setPreview(img)
		}
	})
}

// scatter is the similarity map of a query.
type scatter struct {
	pts []library.ScatterPoint
	err error
}

// loadMap computes the similarity map of the query in the background when
// its tab is open.
func (b *Browser) loadMap() {
	src, id := b.src, b.query
	if src == nil || id == 0 || !b.nb.mapShown() {
		return
	}
	spawn(b.work, b.queryGen.now(), func() scatter {
		pts, err := src.Scatter(id)
		return scatter{pts, err}
	}, func(s scatter) {
		if s.err != nil {
			b.mapv.setError(s.err)
			return
		}
		b.mapv.setPoints(s.pts)
		b.debugf("map points=%d", len(s.pts))
	})
}

// hoverMap shows the photo under the pointer on the map (-1: none).
func (b *Browser) hoverMap(id int64) {
	im, ok := b.byID[id]
	b.mapv.hover(im, ok, b.thumbs)
}

// fileQuerier is a Source that can also search with any image file as the
// query (a photo dropped from outside the library); libSource is one.
type fileQuerier interface {
	NeighboursOfFileIn(path string, spaces []string, k int) (map[string][]library.Neighbour, error)
}

// ShowFile makes an image file from anywhere the query: it is encoded and
// both columns fill with its neighbours in the library. It does not enter
// the history.
func (b *Browser) ShowFile(path string) {
	fq, ok := b.src.(fileQuerier)
	if !ok || b.src == nil {
		return
	}
	k := b.cfg.K
	b.query = 0
	b.external = path
	tk := b.queryGen.next()
	b.queryStart = time.Now()
	b.gallery.selectInGrid(0, false)
	b.nb.showQuery("Dropped: "+filepath.Base(path), path, "Encoding and searching…", nil)
	b.updateNav()
	type result struct {
		img image.Image
		neighbours
	}
	spawn(b.work, tk, func() (r result) {
		r.img, _ = engine.DecodeFile(path) // no preview if it does not decode: the error says why
		// One encode serves both columns.
		res, err := fq.NeighboursOfFileIn(path, []string{engine.Relational, engine.Visual}, k)
		r.rel, r.vis = hitsOf(res[engine.Relational]), hitsOf(res[engine.Visual])
		r.relErr, r.visErr = err, err
		return r
	}, func(r result) {
		if r.img != nil {
			b.nb.setPreview(r.img)
		}
		b.nb.fill(r.rel, r.vis, r.relErr, r.visErr, b.thumbs)
		b.debugf("neighbours relational=%d visual=%d query=%s analogies=false ms=%.1f", len(r.rel), len(r.vis), path,
			float64(time.Since(b.queryStart).Microseconds())/1000)
	})
}

// queryError words a failed search for a column.
func queryError(err error) string {
	if library.IsNotIndexed(err) {
		return "This photo is not indexed in this space yet."
	}
	return err.Error()
}

// describe is the details line of a photo: pixel size, file size, date.
func describe(im library.Image) string {
	parts := []string{}
	if im.Width > 0 && im.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d px", im.Width, im.Height))
	}
	parts = append(parts, humanize.Bytes(uint64(max(im.Size, 0))))
	if !im.MTime.IsZero() {
		parts = append(parts, im.MTime.Format("2006-01-02 15:04"))
	}
	if im.Format != "" {
		parts = append(parts, strings.ToUpper(im.Format))
	}
	return strings.Join(parts, " · ")
}

func baseName(p string) string { return path.Base(p) }
