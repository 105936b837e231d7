package library

import "fmt"

// ScanProblems lists what the last scan could not read or would not
// follow (unreadable folders, broken or looping links, special files), as
// Status does, without Status's other work: for the GUI's skipped list.
func (l *Library) ScanProblems() (_ []Problem, err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	rows, err := l.db.Query(`SELECT path, reason FROM problems ORDER BY path`)
	if err != nil {
		return nil, fmt.Errorf("scan problems: %w", err)
	}
	defer rows.Close()
	var out []Problem
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Path, &p.Reason); err != nil {
			return nil, fmt.Errorf("scan problems: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("scan problems: %w", err)
	}
	return out, nil
}
