package library

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"

	"relview/engine"
)

// SpaceStatus says which models made a space's vectors in the catalog.
type SpaceStatus struct {
	Space   string `json:"space"`
	Model   string `json:"model"`
	Dim     int    `json:"dim"`
	Vectors int    `json:"vectors"`
	// Current is false when the engine now fills the space with another
	// model: the next Index re-embeds these vectors.
	Current bool `json:"current"`
}

// Status is an overview of a library: counts, failures, models, and where
// the catalog lives.
type Status struct {
	Folder      string        `json:"folder"`
	CacheFolder string        `json:"cache_folder"`
	Catalog     string        `json:"catalog"`
	CatalogSize int64         `json:"catalog_bytes"` // catalog.db with its WAL
	ThumbsSize  int64         `json:"thumbnail_bytes"`
	Images      int           `json:"images"` // catalogued files
	Indexed     int           `json:"indexed"`
	Failed      int           `json:"failed"`
	Failures    []Problem     `json:"failures,omitempty"`
	Problems    []Problem     `json:"problems,omitempty"` // unreadable folders, broken links
	Spaces      []SpaceStatus `json:"spaces"`
	// Coverage says, per space, how many indexed images have its current
	// vector (a deferred space fills in the second indexing pass).
	Coverage []Coverage `json:"coverage,omitempty"`
	Schema   int        `json:"schema_version"`
}

// Status reports the library's counts, failures, models and catalog.
func (l *Library) Status() (_ Status, err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	s := Status{Folder: l.root, CacheFolder: l.dir, Catalog: l.CatalogPath()}
	for _, suffix := range []string{"", "-wal"} {
		if st, err := os.Stat(l.CatalogPath() + suffix); err == nil {
			s.CatalogSize += st.Size()
		}
	}
	filepath.WalkDir(filepath.Join(l.dir, "thumbs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				s.ThumbsSize += info.Size()
			}
		}
		return nil
	})
	if err := l.db.QueryRow(`PRAGMA user_version`).Scan(&s.Schema); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	if err := l.db.QueryRow(`SELECT count(*), coalesce(sum(status = 'indexed'), 0), coalesce(sum(status = 'failed'), 0) FROM images`).Scan(&s.Images, &s.Indexed, &s.Failed); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	fails, err := l.Failures()
	if err != nil {
		return s, err
	}
	for _, f := range fails {
		s.Failures = append(s.Failures, Problem{Path: f.Path, Reason: f.Reason})
	}
	rows, err := l.db.Query(`SELECT path, reason FROM problems ORDER BY path`)
	if err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Path, &p.Reason); err != nil {
			rows.Close()
			return s, fmt.Errorf("status: %w", err)
		}
		s.Problems = append(s.Problems, p)
	}
	rows.Close()
	rows, err = l.db.Query(`SELECT space, model, dim, count(*) FROM vectors GROUP BY space, model, dim ORDER BY space, count(*) DESC`)
	if err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sp SpaceStatus
		if err := rows.Scan(&sp.Space, &sp.Model, &sp.Dim, &sp.Vectors); err != nil {
			return s, fmt.Errorf("status: %w", err)
		}
		sp.Current = true
		if l.eng != nil {
			si, ok := l.eng.Space(sp.Space)
			sp.Current = ok && si.Model == sp.Model && si.Dim == sp.Dim
		}
		s.Spaces = append(s.Spaces, sp)
	}
	if err := rows.Err(); err != nil {
		return s, fmt.Errorf("status: %w", err)
	}
	rows.Close()
	names, err := l.allSpaces()
	if err != nil {
		return s, err
	}
	for _, name := range names {
		c, err := l.SpaceCoverage(name)
		if err != nil {
			return s, err
		}
		s.Coverage = append(s.Coverage, c)
	}
	return s, nil
}

// Export calls fn for every indexed image with its vectors (every
// searchable space, or only space when not empty), in path order.
func (l *Library) Export(space string, fn func(Image, map[string][]float32) error) (err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	q := `SELECT ` + prefixed("i.", imageCols) + `, v.space, v.dim, v.data FROM images i JOIN vectors v ON v.image_id = i.id
		WHERE i.status = 'indexed'`
	var args []any
	if space != "" {
		q += ` AND v.space = ?`
		args = append(args, space)
	} else {
		q += ` AND v.space != ?` // the columns' vectors, not the objects for "why"
		args = append(args, engine.Objects)
	}
	q += ` ORDER BY i.path, v.space`
	rows, err := l.db.Query(q, args...)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rows.Close()
	var cur Image
	vecs := map[string][]float32{}
	flush := func() error {
		if cur.ID == 0 {
			return nil
		}
		err := fn(cur, vecs)
		vecs = map[string][]float32{}
		return err
	}
	for rows.Next() {
		var im Image
		var mt int64
		var sp string
		var dim int
		var blob []byte
		var taken sql.NullInt64
		if err := rows.Scan(&im.ID, &im.Path, &im.Size, &mt, &im.Hash, &im.Width, &im.Height, &im.Format, &im.Status, &im.Reason, &taken, &sp, &dim, &blob); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if im.ID != cur.ID {
			if err := flush(); err != nil {
				return err
			}
			im.MTime, im.Taken = unixNano(mt), takenTime(taken)
			cur = im
		}
		v, err := decodeVector(blob, dim)
		if err != nil {
			return fmt.Errorf("export %s: %s: %w (run 'relview index %s' to encode it again)", im.Path, sp, err, l.root)
		}
		vecs[sp] = v
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return flush()
}
