package library

import (
	"context"
	"fmt"

	"relview/engine"
)

// upgradeBatch is how many vectors one upgrade transaction converts.
const upgradeBatch = 256

// upgradeVectors converts in place, without reading any photo, the
// relational vectors an earlier built-in encoder stored that the engine's
// can be made from (engine.UpgradeRelational: v3 → v3.1; the photos'
// objects are found again by the second pass). A library indexed by the
// previous release then needs no re-encoding of every photo's columns. A
// vector that does not convert is
// left as it is: the plan re-encodes it from its photo. It reports how many
// it converted; progress sees PhaseUpgrade events.
func (l *Library) upgradeVectors(ctx context.Context, progress func(Progress)) (int, error) {
	rel, ok := l.eng.Space(engine.Relational)
	if !ok || rel.Model != engine.RelationalEncoderName {
		return 0, nil
	}
	// One count per upgradable model, on the (space, model) index: every
	// refresh asks, so it must cost nothing when there is nothing to do.
	var models []string
	total := 0
	for _, m := range engine.UpgradableRelationalModels() {
		var n int
		if err := l.db.QueryRowContext(ctx, `SELECT count(*) FROM vectors WHERE space = ? AND model = ?`, engine.Relational, m).Scan(&n); err != nil {
			return 0, fmt.Errorf("upgrade: %w", err)
		}
		if n > 0 {
			models, total = append(models, m), total+n
		}
	}
	if total == 0 {
		return 0, nil
	}
	p := Progress{Phase: PhaseUpgrade, Total: total, Paused: l.Paused()}
	progress(p)
	done := 0
	for _, m := range models {
		for after := int64(0); ; {
			if err := l.gate.wait(ctx); err != nil {
				return done, fmt.Errorf("index %s: stopped while %s: %w", l.root, PhaseUpgrade, err)
			}
			n, last, err := l.upgradeSome(ctx, m, after, rel)
			done += n
			if err != nil {
				return done, err
			}
			if last == 0 {
				break
			}
			after = last
			p.Done = min(p.Done+upgradeBatch, total)
			progress(p)
		}
	}
	p.Done = total
	progress(p)
	return done, nil
}

// upgradeSome converts up to upgradeBatch vectors of model whose row id is
// above after, in one transaction, and mirrors them into the loaded stores.
// last is the highest row id read (0: none left).
func (l *Library) upgradeSome(ctx context.Context, model string, after int64, rel engine.SpaceInfo) (n int, last int64, err error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, image_id, data FROM vectors WHERE space = ? AND model = ? AND id > ? ORDER BY id LIMIT ?`,
		engine.Relational, model, after, upgradeBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("upgrade: %w", err)
	}
	type conv struct {
		image int64
		rel   []float32
	}
	var convs []conv
	for rows.Next() {
		var id, image int64
		var b []byte
		if err := rows.Scan(&id, &image, &b); err != nil {
			rows.Close()
			return 0, 0, fmt.Errorf("upgrade: %w", err)
		}
		last = id
		v, err := decodeVector(b, len(b)/4)
		if err != nil {
			continue // damaged: the catalog's checks drop it, the plan re-encodes it
		}
		if r, ok := engine.UpgradeRelational(model, v); ok {
			convs = append(convs, conv{image, r})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("upgrade: %w", err)
	}
	if len(convs) == 0 {
		return 0, last, nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, fmt.Errorf("upgrade: %w", err)
	}
	defer tx.Rollback()
	adds := make([]vecWrite, 0, len(convs))
	for _, c := range convs {
		if err := putVector(tx, c.image, engine.Relational, rel.Model, c.rel); err != nil {
			return 0, 0, fmt.Errorf("upgrade image %d: %w", c.image, err)
		}
		adds = append(adds, vecWrite{id: c.image, space: engine.Relational, model: rel.Model, vec: c.rel})
	}
	if err := tx.Commit(); err != nil {
		return 0, 0, fmt.Errorf("upgrade: commit: %w", err)
	}
	l.applyToStores(adds, nil)
	return len(convs), last, nil
}
