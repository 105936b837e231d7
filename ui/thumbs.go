package ui

import (
	"image"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"
	"relview/library"
)

// thumbLoader loads gallery thumbnails in the background: a few workers take
// the most recent request first (the cells just scrolled into view), skip
// requests cancelled since (a cell reused for another photo cancels its old
// load), and keep recent thumbnails in an LRU keyed by content hash. Its
// workers and results belong to the library's task group: closing the group
// drops the results, and the group's wait covers the workers.
type thumbLoader struct {
	src   Source
	ts    *tasks
	cache *lru.Cache[string, image.Image]

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []*thumbReq // LIFO
	closed bool

	// loaded counts thumbnails read from the source (not the LRU).
	loaded atomic.Int64
}

type thumbReq struct {
	im        library.Image
	done      func(image.Image)
	cancelled atomic.Bool
	settled   atomic.Bool // counted out of ts.pending (once)
}

// settle takes the request out of the group's count, once.
func (r *thumbReq) settle(ts *tasks) bool {
	if r.settled.CompareAndSwap(false, true) {
		ts.pending.Add(-1)
		return true
	}
	return false
}

func newThumbLoader(src Source, ts *tasks, workers, entries int) *thumbLoader {
	c, _ := lru.New[string, image.Image](entries) // entries > 0: no error
	l := &thumbLoader{src: src, ts: ts, cache: c}
	l.cond = sync.NewCond(&l.mu)
	ts.running.Add(workers)
	for range workers {
		go l.work()
	}
	return l
}

func thumbKey(im library.Image) string {
	if im.Hash != "" {
		return im.Hash
	}
	return "path:" + im.Path
}

// cached returns a thumbnail already in memory.
func (l *thumbLoader) cached(im library.Image) (image.Image, bool) {
	return l.cache.Get(thumbKey(im))
}

// load queues im; done runs on the UI thread with the thumbnail unless the
// returned cancel runs first or the load fails. Call both on the UI thread.
func (l *thumbLoader) load(im library.Image, done func(image.Image)) (cancel func()) {
	r := &thumbReq{im: im, done: done}
	l.mu.Lock()
	if l.closed || l.ts.closed.Load() {
		l.mu.Unlock()
		return func() {}
	}
	l.ts.pending.Add(1)
	l.queue = append(l.queue, r)
	l.mu.Unlock()
	l.cond.Signal()
	return func() {
		r.cancelled.Store(true)
		r.settle(l.ts)
	}
}

func (l *thumbLoader) work() {
	defer l.ts.running.Done()
	for {
		l.mu.Lock()
		for len(l.queue) == 0 && !l.closed {
			l.cond.Wait()
		}
		if l.closed {
			// Drop what is left.
			for _, r := range l.queue {
				r.settle(l.ts)
			}
			l.queue = nil
			l.mu.Unlock()
			return
		}
		r := l.queue[len(l.queue)-1]
		l.queue = l.queue[:len(l.queue)-1]
		l.mu.Unlock()
		l.run(r)
	}
}

func (l *thumbLoader) run(r *thumbReq) {
	if r.cancelled.Load() {
		return // cancel settled it
	}
	key := thumbKey(r.im)
	img, ok := l.cache.Get(key)
	var err error
	if !ok {
		img, err = l.src.Thumbnail(r.im)
		if err == nil {
			l.cache.Add(key, img)
			l.loaded.Add(1)
		}
	}
	l.ts.post(func() {
		if !r.settle(l.ts) || err != nil || l.ts.closed.Load() {
			return // cancelled meanwhile, failed, or the library went
		}
		r.done(img)
	})
}

// queued is the number of requests waiting (cancelled ones included).
func (l *thumbLoader) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// close stops the workers once their current load ends; queued requests
// are dropped. The task group's wait waits for the workers.
func (l *thumbLoader) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
}
