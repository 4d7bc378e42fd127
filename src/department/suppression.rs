//! Statistical secrecy for the report's tables: no count from 1 to `min - 1` is shown
//! (primary suppression), and none can be recomputed from the other cells of its row or column
//! and their totals (secondary suppression).
//!
//! A table is a matrix whose last column holds each row's total and whose last row holds each
//! column's total. Every row and every column is an equation "cells = total". A hidden cell can be
//! recomputed when it is the only unknown of an equation; the sum of several hidden cells can be
//! recomputed when their total is shown. So, until nothing changes: in every equation with exactly
//! one hidden cell, or whose hidden cells add up to 1 to `min - 1` under a shown total, the smallest
//! non-zero shown cell is hidden too (the total when no other cell can be).

/// Which cells can be shown (`true`), for a matrix with its totals (last row and last column).
pub fn suppress(m: &[Vec<u64>], min: u64) -> Vec<Vec<bool>> {
    let rows = m.len();
    let cols = m.first().map_or(0, Vec::len);
    let mut hidden: Vec<Vec<bool>> = m.iter().map(|r| r.iter().map(|&v| v > 0 && v < min).collect()).collect();
    if rows < 2 || cols < 2 {
        return hidden.into_iter().map(|r| r.into_iter().map(|h| !h).collect()).collect();
    }
    // Every equation: its cells, then its total.
    let mut lines: Vec<Vec<(usize, usize)>> = (0..rows).map(|i| (0..cols).map(|j| (i, j)).collect()).collect();
    lines.extend((0..cols).map(|j| (0..rows).map(|i| (i, j)).collect()));
    for _ in 0..(rows * cols + 1) {
        let mut changed = false;
        for line in &lines {
            let (total, cells) = line.split_last().expect("two cells at least");
            let unknown = line.iter().filter(|&&(i, j)| hidden[i][j]).count();
            if unknown == 0 {
                continue;
            }
            let hidden_sum: u64 = cells.iter().filter(|&&(i, j)| hidden[i][j]).map(|&(i, j)| m[i][j]).sum();
            let leaks = unknown == 1 || (!hidden[total.0][total.1] && hidden_sum > 0 && hidden_sum < min);
            if !leaks {
                continue;
            }
            let pick = cells.iter().filter(|&&(i, j)| !hidden[i][j] && m[i][j] > 0).min_by_key(|&&(i, j)| m[i][j]).copied();
            match pick {
                Some((i, j)) => hidden[i][j] = true,
                None if !hidden[total.0][total.1] => hidden[total.0][total.1] = true,
                None => continue,
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
    hidden.into_iter().map(|r| r.into_iter().map(|h| !h).collect()).collect()
}

/// Rows of (part, whole) — visits picked up among visits finished, fragile visits among visits
/// — with their totals: which parts and wholes can be shown. The complement (whole − part) is
/// computable from the two, so it is a hidden column of the table.
pub fn rates(rows: &[(u64, u64)], min: u64) -> (Vec<(bool, bool)>, (bool, bool)) {
    let mut m: Vec<Vec<u64>> = rows.iter().map(|&(k, n)| vec![k, n.saturating_sub(k), n]).collect();
    let (k, n) = rows.iter().fold((0, 0), |(a, b), &(k, n)| (a + k, b + n));
    m.push(vec![k, n - k, n]);
    let shown = suppress(&m, min);
    let flags: Vec<(bool, bool)> = shown.iter().map(|r| (r[0] && r[2], r[2])).collect();
    let total = *flags.last().expect("the total row");
    (flags[..rows.len()].to_vec(), total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether any hidden cell of `m` can be recomputed, by solving the row and column equations
    /// repeatedly (what a reader with the table and a pencil can do).
    fn recomputable(m: &[Vec<u64>], shown: &[Vec<bool>], min: u64) -> bool {
        let mut known = shown.to_vec();
        let (rows, cols) = (m.len(), m[0].len());
        loop {
            let mut progress = false;
            let mut lines: Vec<Vec<(usize, usize)>> = (0..rows).map(|i| (0..cols).map(|j| (i, j)).collect()).collect();
            lines.extend((0..cols).map(|j| (0..rows).map(|i| (i, j)).collect()));
            for l in &lines {
                let unknown: Vec<_> = l.iter().filter(|&&(i, j)| !known[i][j]).collect();
                if unknown.len() == 1 {
                    let (i, j) = *unknown[0];
                    known[i][j] = true;
                    progress = true;
                    if m[i][j] > 0 && m[i][j] < min {
                        return true;
                    }
                }
                let (t, cells) = l.split_last().unwrap();
                let hs: u64 = cells.iter().filter(|&&(i, j)| !known[i][j]).map(|&(i, j)| m[i][j]).sum();
                if known[t.0][t.1] && hs > 0 && hs < min {
                    return true;
                }
            }
            if !progress {
                return false;
            }
        }
    }

    #[test]
    fn no_small_count_is_shown_or_recomputable() {
        let tables: Vec<Vec<Vec<u64>>> = vec![
            vec![vec![3, 10, 13], vec![12, 9, 21], vec![15, 19, 34]],
            vec![vec![1, 0, 1], vec![6, 7, 13], vec![7, 7, 14]],
            vec![vec![20, 2, 22], vec![30, 40, 70], vec![50, 42, 92]],
            vec![vec![4, 4], vec![4, 4]],
            vec![vec![5, 5, 0, 10], vec![1, 6, 7, 14], vec![6, 11, 7, 24]],
        ];
        for m in tables {
            let shown = suppress(&m, 5);
            for (i, r) in m.iter().enumerate() {
                for (j, &v) in r.iter().enumerate() {
                    assert!(!(shown[i][j] && v > 0 && v < 5), "{m:?} shows {v}");
                }
            }
            assert!(!recomputable(&m, &shown, 5), "{m:?} {shown:?}");
        }
    }

    #[test]
    fn rates_hide_a_part_whose_complement_is_small() {
        // 20 visits, 17 picked up: 3 not picked up would be recomputed.
        let (rows, total) = rates(&[(17, 20), (10, 30), (12, 25)], 5);
        assert!(!rows[0].0 && rows[0].1);
        assert!(rows.iter().filter(|r| !r.0).count() >= 2, "a second part hidden: {rows:?}");
        assert!(total.0 && total.1);
        let (rows, _) = rates(&[(10, 20), (10, 30)], 5);
        assert!(rows.iter().all(|r| r.0 && r.1));
    }
}
