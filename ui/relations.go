package ui

import (
	"fmt"
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/library"
)

// Browse by relation: the library grouped by the relations the built-in
// relational encoder names (reflection, odd one out, repetition, framed,
// symmetry, figure on empty ground, …), each a row of the photos that show
// it most strongly; a click makes one the query.

// perRelation is how many photos a relation's row shows.
const perRelation = 10

// relationGroup is one relation and the photos showing it, strongest
// first.
type relationGroup struct {
	name      string
	ids       []int64
	strengths []float32 // of ids, 0..1 (engine.Relation.Strength)
	total     int       // photos showing it (the row shows the first perRelation)
}

// relationWord words a relation's strength in a photo (0..1: its standard
// score over three; 0.9 is 2.7 standard deviations above ordinary photos,
// 0.6 is 1.8; a relation is named from about 1.5).
func relationWord(s float32) string {
	switch {
	case s >= 0.9:
		return "strong"
	case s >= 0.6:
		return "clear"
	default:
		return "present"
	}
}

// relationBar is the strength bar's colour for relationWord's words.
var relationBar = map[string]string{"strong": strengthStrong, "clear": strengthFair, "present": strengthWeak}

// relationGroups groups ids by the relations their relational vectors
// show (engine.RelationsOf: up to three each), strongest first, ties by
// id; the groups with the most photos first, ties by name. vec returns an
// image's relational vector (nil: none), objects its object relations
// (engine.Objects; missing: not analysed yet). Nothing when the encoder
// cannot name relations (a plug-in).
func relationGroups(ids []int64, vec func(int64) []float32, objects map[int64][]float32, model string, per int) []relationGroup {
	if !engine.CanExplain(model) {
		return nil
	}
	type member struct {
		id       int64
		strength float32
	}
	by := map[string][]member{}
	for _, id := range ids {
		v := vec(id)
		if v == nil {
			continue
		}
		for _, r := range engine.RelationsOf(model, v, objects[id]) {
			by[r.Relation] = append(by[r.Relation], member{id, r.Strength})
		}
	}
	out := make([]relationGroup, 0, len(by))
	for name, ms := range by {
		sort.Slice(ms, func(i, j int) bool {
			if ms[i].strength != ms[j].strength {
				return ms[i].strength > ms[j].strength
			}
			return ms[i].id < ms[j].id
		})
		g := relationGroup{name: name, total: len(ms)}
		for _, m := range ms[:min(per, len(ms))] {
			g.ids = append(g.ids, m.id)
			g.strengths = append(g.strengths, m.strength)
		}
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].total != out[j].total {
			return out[i].total > out[j].total
		}
		return out[i].name < out[j].name
	})
	return out
}

// relationsView is the "By relation" pane.
type relationsView struct {
	rows    *fyne.Container
	note    *widget.Label
	content fyne.CanvasObject
	groups  []relationGroup
	tiles   []*neighbourTile // every tile shown (tests)
	onPick  func(id int64)
}

func newRelationsView(onPick func(int64)) *relationsView {
	v := &relationsView{rows: container.NewVBox(), note: widget.NewLabel(""), onPick: onPick}
	v.note.Wrapping = fyne.TextWrapWord
	v.content = container.NewBorder(v.note, nil, nil, nil, container.NewVScroll(v.rows))
	return v
}

// setNote says what the pane shows or why it is empty.
func (v *relationsView) setNote(s string) { v.note.SetText(s) }

// setGroups shows the groups as rows of tiles.
func (v *relationsView) setGroups(gs []relationGroup, byID map[int64]library.Image, width float32, l *thumbLoader) {
	v.groups = gs
	v.tiles = nil
	v.rows.RemoveAll()
	geo := newTileGeometry(width, 0)
	for _, g := range gs {
		title := widget.NewLabelWithStyle(fmt.Sprintf("%s · %d photos", g.name, g.total), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		row := container.NewHBox()
		for i, id := range g.ids {
			im, ok := byID[id]
			if !ok {
				continue
			}
			t := newNeighbourTile(geo, func(h hit) { v.onPick(h.Image.ID) }, nil)
			t.setHit(hit{Image: im, Strength: -1}, i+1, l)
			// The bar and the words say how strongly the photo shows it.
			word := relationWord(g.strengths[i])
			t.score.Text = word
			t.fill = g.strengths[i]
			t.bar.FillColor = barColours[relationBar[word]]
			t.Refresh()
			v.tiles = append(v.tiles, t)
			row.Add(t)
		}
		// Room under the tiles for the row's scroll bar, which is drawn
		// over the bottom of its content: it covered the photos' names.
		under := canvas.NewRectangle(color.Transparent)
		under.SetMinSize(fyne.NewSize(1, theme.ScrollBarSize()+theme.Padding()))
		v.rows.Add(container.NewVBox(title, container.NewHScroll(container.NewVBox(row, under))))
	}
	if len(gs) == 0 && v.note.Text == "" {
		v.setNote("No relations named yet.")
	}
}
