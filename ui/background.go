package ui

import (
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
)

// uiThread is how background work reaches the UI thread: fyne.Do and
// fyne.DoAndWait in the app. Fyne's test driver runs fyne.Do at once on the
// calling goroutine, so the tests pass their own loop (uiloop_test.go),
// which runs what is posted on the test's goroutine, as the app runs it on
// the UI thread.
type uiThread struct {
	do        func(func()) // queue f, do not wait
	doAndWait func(func()) // run f, wait for it
}

var fyneThread = uiThread{do: fyne.Do, doAndWait: fyne.DoAndWait}

// run runs f on the UI thread and waits for it; false means f did not run
// (the UI loop had ended: Fyne then drops it). Call it off the UI thread.
func (u uiThread) run(f func()) bool {
	ran := false
	u.doAndWait(func() {
		f()
		ran = true
	})
	return ran
}

// tasks is ui's one way to run background work: a group of goroutines
// whose results are applied on the UI thread, counted so that the owner can
// wait for them. The views of one library share one group (closed when the
// library goes); the session has another for opening and closing
// libraries.
//
// spawn and close run on the UI thread, do and wait off it.
type tasks struct {
	post    func(func())   // uiThread.do
	running sync.WaitGroup // work functions (and thumbnail workers) not yet returned
	pending atomic.Int64   // results not yet applied or dropped
	closed  atomic.Bool
}

func newTasks(post func(func())) *tasks { return &tasks{post: post} }

// ticket is the generation a piece of work was started in; a result whose
// generation has moved on is stale and dropped. The zero ticket never goes
// stale.
type ticket struct {
	g *generation
	n uint64
}

// stale reports whether the generation moved on (UI thread).
func (t ticket) stale() bool { return t.g != nil && t.g.n != t.n }

// generation counts the changes that make earlier results stale: a new
// query, a new gallery arrangement (UI thread only).
type generation struct{ n uint64 }

// next starts a new generation and returns its ticket.
func (g *generation) next() ticket {
	g.n++
	return ticket{g, g.n}
}

// now is the ticket of the current generation.
func (g *generation) now() ticket { return ticket{g, g.n} }

// spawn runs work off the UI thread and then apply with its result on the
// UI thread, unless by then the group was closed or tk went stale; a
// dropped result is never applied. Call it on the UI thread.
func spawn[T any](ts *tasks, tk ticket, work func() T, apply func(T)) {
	if ts.closed.Load() {
		return
	}
	ts.pending.Add(1)
	ts.running.Add(1)
	go func() {
		defer ts.running.Done()
		v := work()
		ts.post(func() {
			ts.pending.Add(-1)
			if ts.closed.Load() || tk.stale() {
				return
			}
			apply(v)
		})
	}()
}

// do applies f on the UI thread unless the group is closed by then; for
// streams of updates from long work (indexing progress). Call it off the
// UI thread, from work the group counts.
func (ts *tasks) do(f func()) {
	ts.pending.Add(1)
	ts.post(func() {
		ts.pending.Add(-1)
		if !ts.closed.Load() {
			f()
		}
	})
}

// busy is the number of results not yet applied or dropped.
func (ts *tasks) busy() int64 { return ts.pending.Load() }

// close drops every result not yet applied; work still running finishes
// (wait waits for it).
func (ts *tasks) close() { ts.closed.Store(true) }

// wait waits up to timeout (0: forever) for the work of the group to
// return and reports whether it did. Call it off the UI thread: work may
// be waiting for the UI thread.
func (ts *tasks) wait(timeout time.Duration) bool {
	done := make(chan struct{})
	go func() {
		ts.running.Wait()
		close(done)
	}()
	if timeout <= 0 {
		<-done
		return true
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
