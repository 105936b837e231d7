package ui

import (
	"fmt"
	"image"
	"path"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
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
	b.hideHover()
	b.query = id
	b.external = ""
	b.variants = nil
	b.queryGen.next()
	b.queryStart = time.Now()
	// The thumbnail at once, the sharper preview when decoded.
	var thumb image.Image
	if b.thumbs != nil {
		thumb, _ = b.thumbs.cached(im)
	}
	b.nb.showQuery(im.Path, describe(im, b.gallery.taken[im.ID]), "Searching…", thumb)
	b.nb.setVariants(0)
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
	variants       []library.Image // the query's near-duplicates, left out of both
	threshold      float32         // analogies: the relational score all reach
	damaged        string          // the library's note on damaged vectors its searches left out
	shows          string          // the relations the query itself shows, for its details line
}

// damageNoter is a Source that says when its searches met damaged vectors
// (*library.Library does): the columns then lack those photos, and the user
// is told why and what to run.
type damageNoter interface {
	DamagedNote() string
}

// candidatesFor is how many neighbours to fetch to fill k tiles once the
// query's variants are left out and the rest stacked.
func candidatesFor(k int) int { return 3*k + 8 }

func (b *Browser) runQuery(im library.Image) {
	src, k := b.src, b.cfg.K
	if src == nil {
		return
	}
	analog, top, cal := b.nb.analogies.Checked, b.cfg.AnalogyTop, b.cal
	relModel := b.spaces[engine.Relational].Model
	byID := b.byID // replaced, never modified, by setImages
	_, stacking := src.(vectorSource)
	want := k
	if stacking {
		want = candidatesFor(k)
	}
	spawn(b.work, b.queryGen.now(), func() (r neighbours) {
		var relAll []hit
		if analog {
			pts, err := src.Scatter(im.ID)
			r.relErr = err
			if err == nil {
				r.rel, r.threshold = analogies(pts, im.ID, top, k, func(id int64) (library.Image, bool) {
					x, ok := byID[id]
					return x, ok
				})
				withStrength(r.rel, engine.Relational, cal)
			}
		} else {
			ns, err := src.NeighboursByID(im.ID, engine.Relational, want)
			relAll, r.relErr = hitsOf(ns), err
		}
		ns, err := src.NeighboursByID(im.ID, engine.Visual, want)
		visAll := hitsOf(ns)
		r.visErr = err
		var vecs map[int64][]float32
		if stacking {
			ids := []int64{im.ID}
			for _, h := range append(append([]hit(nil), relAll...), visAll...) {
				ids = append(ids, h.Image.ID)
			}
			vecs = visualVectors(src, ids)
		}
		q := vecs[im.ID]
		var ofRel, ofVis []library.Image
		if !analog {
			r.rel, ofRel = stackHits(relAll, q, vecs, k)
			withStrength(r.rel, engine.Relational, cal)
		}
		r.vis, ofVis = stackHits(visAll, q, vecs, k)
		withStrength(r.vis, engine.Visual, cal)
		r.variants = mergeImages(ofVis, ofRel)
		if dn, ok := src.(damageNoter); ok {
			r.damaged = dn.DamagedNote()
		}
		r.shows = queryRelations(src, im.ID, relModel)
		return r
	}, func(r neighbours) {
		b.status.noteOnce(r.damaged)
		b.nb.setShows(r.shows)
		b.variants = r.variants
		b.nb.setVariants(len(r.variants))
		b.nb.fill(r.rel, r.vis, r.relErr, r.visErr, b.thumbs)
		b.debugf("neighbours relational=%d visual=%d query=%s analogies=%t variants=%d ms=%.1f",
			len(r.rel), len(r.vis), im.Path, analog, len(r.variants), float64(time.Since(b.queryStart).Microseconds())/1000)
		b.debugf("tiles visible relational=%d visual=%d (area %v, cells %v / %v)", b.nb.rel.visible(), b.nb.vis.visible(),
			b.nb.rel.scroll.Size(), b.nb.rel.geo.size(), b.nb.vis.geo.size())
	})
}

// showStack lists photos that were stacked as one tile (near-duplicates);
// picking one makes it the query.
func (b *Browser) showStack(title string, ims []library.Image) {
	if len(ims) == 0 {
		return
	}
	var d dialog.Dialog
	grid := widget.NewGridWrap(
		func() int { return len(ims) },
		func() fyne.CanvasObject { return newGalleryCell() },
		func(i widget.GridWrapItemID, o fyne.CanvasObject) {
			c := o.(*galleryCell)
			c.setName(baseName(ims[i].Path))
			c.thumb.set(ims[i], b.thumbs)
		})
	grid.OnSelected = func(i widget.GridWrapItemID) {
		d.Hide()
		b.Show(ims[i].ID)
	}
	d = dialog.NewCustom(title, "Close", container.NewGridWrap(fyne.NewSize(600, 300), grid), b.win)
	d.Show()
	b.debugf("stack %q photos=%d", title, len(ims))
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
	k, cal := b.cfg.K, b.cal
	b.query = 0
	b.external = path
	b.variants = nil
	b.nb.setVariants(0)
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
		r.rel = withStrength(hitsOf(res[engine.Relational]), engine.Relational, cal)
		r.vis = withStrength(hitsOf(res[engine.Visual]), engine.Visual, cal)
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
// taken is when it was taken (EXIF; zero: not known).
func describe(im library.Image, taken time.Time) string {
	parts := []string{}
	if im.Width > 0 && im.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d px", im.Width, im.Height))
	}
	parts = append(parts, humanize.Bytes(uint64(max(im.Size, 0))))
	switch {
	case !taken.IsZero():
		parts = append(parts, "taken "+taken.Format("2006-01-02 15:04"))
	case !im.MTime.IsZero():
		parts = append(parts, im.MTime.Format("2006-01-02 15:04"))
	}
	if im.Format != "" {
		parts = append(parts, strings.ToUpper(im.Format))
	}
	return strings.Join(parts, " · ")
}

// queryRelations words the relations photo id shows, by their short labels
// ("relations: strata, silhouette"), for the query's details line: what
// the relational column looks for in it. "" when the encoder cannot name
// relations (a plug-in) or the photo has no relational vector yet.
func queryRelations(src Source, id int64, model string) string {
	vs, ok := src.(vectorSource)
	if !ok || !engine.CanExplain(model) {
		return ""
	}
	v, err := vs.Vector(id, engine.Relational)
	if err != nil {
		return ""
	}
	var objects []float32
	if osrc, ok := src.(objectsSource); ok {
		objects = osrc.ObjectsOf([]int64{id})[id]
	}
	rs := engine.RelationsOf(model, v, objects)
	if len(rs) == 0 {
		return "relations: none stands out"
	}
	labels := make([]string, len(rs))
	for i, r := range rs {
		labels[i] = engine.RelationLabel(r.Relation)
	}
	return "relations: " + strings.Join(labels, ", ")
}

func baseName(p string) string { return path.Base(p) }
