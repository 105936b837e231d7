package ui

import (
	"image"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"
	"relview/library"
)

// thumbLoader loads gallery thumbnails in the background: a few workers take
// the most recent request first (the cells just scrolled into view), skip
// requests cancelled since (a cell reused for another photo cancels its old
// load), and keep recent thumbnails in an LRU keyed by content hash.
type thumbLoader struct {
	src   Source
	cache *lru.Cache[string, image.Image]

	mu      sync.Mutex
	cond    *sync.Cond
	queue   []*thumbReq // LIFO
	closed  bool
	pending sync.WaitGroup // requests not yet finished (tests wait on it)

	// loaded counts thumbnails read from the source (not the LRU).
	loaded int
}

type thumbReq struct {
	im        library.Image
	done      func(image.Image, error)
	mu        sync.Mutex
	cancelled bool
}

// cancel stops a request that has not run yet; done is then never called.
func (r *thumbReq) cancel() {
	r.mu.Lock()
	r.cancelled = true
	r.mu.Unlock()
}

func (r *thumbReq) isCancelled() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cancelled
}

func newThumbLoader(src Source, workers, entries int) *thumbLoader {
	c, _ := lru.New[string, image.Image](entries) // entries > 0: no error
	l := &thumbLoader{src: src, cache: c}
	l.cond = sync.NewCond(&l.mu)
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

// load queues im; done runs on a worker goroutine (callers hop to the UI
// thread with fyne.Do) unless the returned cancel runs first.
func (l *thumbLoader) load(im library.Image, done func(image.Image, error)) (cancel func()) {
	r := &thumbReq{im: im, done: done}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return func() {}
	}
	l.pending.Add(1)
	l.queue = append(l.queue, r)
	l.mu.Unlock()
	l.cond.Signal()
	return r.cancel
}

func (l *thumbLoader) work() {
	for {
		l.mu.Lock()
		for len(l.queue) == 0 && !l.closed {
			l.cond.Wait()
		}
		if l.closed {
			// Drop what is left.
			for range l.queue {
				l.pending.Done()
			}
			l.queue = nil
			l.mu.Unlock()
			return
		}
		r := l.queue[len(l.queue)-1]
		l.queue = l.queue[:len(l.queue)-1]
		l.mu.Unlock()
		l.run(r)
		l.pending.Done()
	}
}

func (l *thumbLoader) run(r *thumbReq) {
	if r.isCancelled() {
		return
	}
	key := thumbKey(r.im)
	img, ok := l.cache.Get(key)
	var err error
	if !ok {
		img, err = l.src.Thumbnail(r.im)
		if err == nil {
			l.cache.Add(key, img)
			l.mu.Lock()
			l.loaded++
			l.mu.Unlock()
		}
	}
	if r.isCancelled() {
		return
	}
	r.done(img, err)
}

// queued is the number of requests waiting (cancelled ones included).
func (l *thumbLoader) queued() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue)
}

// close stops the workers; queued requests are dropped.
func (l *thumbLoader) close() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cond.Broadcast()
}
