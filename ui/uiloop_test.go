package ui

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"relview/engine"
)

// uiLoop is the tests' UI thread. Fyne's test driver runs fyne.Do at once
// on the calling goroutine, which would change widgets from background
// goroutines while the test reads them; the tests' browsers post to a
// uiLoop instead, and the test's goroutine runs what was posted (settle,
// until), as the app's UI thread does.
type uiLoop struct {
	mu    sync.Mutex
	queue []func()
	wake  chan struct{}
	// the groups whose work settle waits for
	browsers []*Browser
	sessions []*Session
}

func newUILoop() *uiLoop { return &uiLoop{wake: make(chan struct{}, 1)} }

// post queues f for the test's goroutine (any goroutine).
func (l *uiLoop) post(f func()) {
	l.mu.Lock()
	l.queue = append(l.queue, f)
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// thread is the uiThread of the loop's browsers.
func (l *uiLoop) thread() uiThread {
	return uiThread{do: l.post, doAndWait: func(f func()) {
		done := make(chan struct{})
		l.post(func() {
			defer close(done)
			f()
		})
		<-done
	}}
}

// run runs what is queued, and what that queues, until the queue is empty
// (test goroutine).
func (l *uiLoop) run() {
	for {
		l.mu.Lock()
		q := l.queue
		l.queue = nil
		l.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, f := range q {
			f()
		}
	}
}

// until runs the loop until done reports true, failing after a long time
// (a hang, not a synchronisation: every wake-up is a post).
func (l *uiLoop) until(fail func(format string, args ...any), what string, done func() bool) {
	deadline := time.NewTimer(3 * time.Minute)
	defer deadline.Stop()
	for {
		l.run()
		if done() {
			return
		}
		select {
		case <-l.wake:
		case <-deadline.C:
			fail("waiting for %s: still waiting after 3 minutes", what)
		}
	}
}

// idle reports whether no background work of the loop's browsers and
// sessions waits to be applied.
func (l *uiLoop) idle() bool {
	for _, b := range l.browsers {
		if b.work != nil && b.work.busy() > 0 {
			return false
		}
	}
	for _, s := range l.sessions {
		if s.life.busy() > 0 {
			return false
		}
	}
	return true
}

var (
	loopsMu sync.Mutex
	loops   = map[*Browser]*uiLoop{}
)

// newLoopBrowser is NewBrowser posting to a new uiLoop.
func newLoopBrowser(tb testing.TB, a fyne.App, w fyne.Window, cfg Config) *Browser {
	l := newUILoop()
	b := newBrowser(a, w, cfg, l.thread())
	l.browsers = append(l.browsers, b)
	loopsMu.Lock()
	loops[b] = l
	loopsMu.Unlock()
	tb.Cleanup(func() {
		loopsMu.Lock()
		delete(loops, b)
		loopsMu.Unlock()
	})
	return b
}

func loopOf(b *Browser) *uiLoop {
	loopsMu.Lock()
	defer loopsMu.Unlock()
	l := loops[b]
	if l == nil {
		panic("the browser was not made by newLoopBrowser")
	}
	return l
}

// newLoopSession is NewSession on a browser from newLoopBrowser; settle
// waits for its lifecycle steps, and the test's end closes it.
func newLoopSession(tb testing.TB, b *Browser, openEngine func(int, []string) (*engine.Engine, error), dataDir, cacheRoot string) *Session {
	s := NewSession(b, openEngine, dataDir, cacheRoot)
	l := loopOf(b)
	l.sessions = append(l.sessions, s)
	tb.Cleanup(func() {
		settle(b)
		s.Close()
	})
	return s
}

// settle runs the UI loop until every background result of b (and of its
// sessions) has been applied or dropped.
func settle(b *Browser) {
	l := loopOf(b)
	l.until(func(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }, "background work", l.idle)
}

// pump runs what is queued for the UI thread now.
func pump(b *Browser) { loopOf(b).run() }

// waitUntil runs b's UI loop until done reports true.
func waitUntil(tb testing.TB, b *Browser, what string, done func() bool) {
	tb.Helper()
	loopOf(b).until(tb.Fatalf, what, done)
}
