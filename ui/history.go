package ui

// history is the back/forward list of the photos that were the query.
type history struct {
	items []int64
	pos   int // index of the current item; -1 when empty
}

func newHistory() *history { return &history{pos: -1} }

// visit makes id the current item, dropping anything forward of the
// current one. Visiting the current item again changes nothing.
func (h *history) visit(id int64) {
	if h.pos >= 0 && h.items[h.pos] == id {
		return
	}
	h.items = append(h.items[:h.pos+1], id)
	h.pos = len(h.items) - 1
}

func (h *history) current() (int64, bool) {
	if h.pos < 0 {
		return 0, false
	}
	return h.items[h.pos], true
}

func (h *history) canBack() bool    { return h.pos > 0 }
func (h *history) canForward() bool { return h.pos >= 0 && h.pos < len(h.items)-1 }

func (h *history) back() (int64, bool) {
	if !h.canBack() {
		return 0, false
	}
	h.pos--
	return h.items[h.pos], true
}

func (h *history) forward() (int64, bool) {
	if !h.canForward() {
		return 0, false
	}
	h.pos++
	return h.items[h.pos], true
}

// reset empties the history (a new library).
func (h *history) reset() { h.items, h.pos = nil, -1 }

// clone is a copy of h.
func (h *history) clone() *history {
	return &history{items: append([]int64(nil), h.items...), pos: h.pos}
}
