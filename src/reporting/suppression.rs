//! Statistical disclosure control of the public view, on one group (indicator, member state,
//! period): its total and, per dimension, the cells broken down by that one dimension.
//!
//! Primary suppression withholds what may never be shown: confidential values and counts from 1
//! to `min_cell - 1`. Secondary suppression then withholds as few, and as small, further cells as
//! it takes that no withheld cell can be recomputed: each dimension gives one equation, "total =
//! sum of the cells of that dimension" (cells not reported count as a known zero, which is the
//! worst case), and every equation must hold no withheld cell or at least two. The total is in
//! every equation, so withholding it can open another: the rule is applied until nothing changes.
//! A group without a stored total still has the relations "sum by one dimension = sum by another":
//! its total is an unknown that is never shown, that is a withheld cell that cannot be chosen.
//!
//! Why this suffices: every cell but the total is in exactly one equation. With the total shown,
//! equations share no unknown, and one equation with two or more unknowns determines none of them.
//! With the total withheld, every equation holding it holds a withheld part too, so no combination
//! of equations isolates the total or a part. The property test below checks it by elimination.

use std::collections::BTreeMap;

/// Where a cell sits in its group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The value that is not broken down (`{}`).
    Total,
    /// A value broken down by this one dimension.
    Part(String),
}

/// A cell of a group as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub place: Place,
    /// `None`: no value (confidential).
    pub value: Option<f64>,
    /// Withheld on its own (primary suppression, [`primary`]).
    pub withheld: bool,
}

/// Whether a value is withheld on its own: confidential, without a value, or (when it is a count)
/// from 1 to `min_cell - 1`. A zero is shown: it identifies nobody.
pub fn primary(value: Option<f64>, confidential: bool, count: bool, min_cell: i64) -> bool {
    let Some(v) = value else { return true };
    confidential || (count && v >= 1.0 && v < min_cell as f64)
}

/// What the public sees of each cell of the group, in the order given: its value, or `None` when
/// withheld (primarily, or to protect a withheld cell).
pub fn protect(cells: &[Cell]) -> Vec<Option<f64>> {
    let mut withheld: Vec<bool> = cells
        .iter()
        .map(|c| c.withheld || c.value.is_none())
        .collect();
    let totals: Vec<usize> = (0..cells.len())
        .filter(|&i| cells[i].place == Place::Total)
        .collect();
    let mut equations: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        if let Place::Part(d) = &c.place {
            equations.entry(d.as_str()).or_default().push(i);
        }
    }
    loop {
        let mut changed = false;
        for parts in equations.values() {
            let members = || totals.iter().chain(parts.iter()).copied();
            // A group without a total: its total is an unknown nobody is shown.
            let unknown_total = usize::from(totals.is_empty());
            let held = unknown_total + members().filter(|&i| withheld[i]).count();
            if held != 1 {
                continue;
            }
            // The smallest shown part, zeros last (withholding a zero beside a small count
            // tells that both are small); the total only when no part is shown, since it
            // takes part in every equation.
            let pick = members().filter(|&i| !withheld[i]).min_by(|&a, &b| {
                let key = |i: usize| {
                    let v = cells[i].value.unwrap_or(f64::INFINITY);
                    (cells[i].place == Place::Total, v == 0.0, v)
                };
                let (ta, za, va) = key(a);
                let (tb, zb, vb) = key(b);
                (ta, za)
                    .cmp(&(tb, zb))
                    .then(va.total_cmp(&vb))
                    .then(a.cmp(&b))
            });
            if let Some(i) = pick {
                withheld[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    cells
        .iter()
        .zip(withheld)
        .map(|(c, w)| if w { None } else { c.value })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cell(place: Place, value: u32) -> Cell {
        let v = Some(f64::from(value));
        Cell {
            place,
            value: v,
            withheld: primary(v, false, true, 5),
        }
    }

    fn part(d: &str, value: u32) -> Cell {
        cell(Place::Part(d.into()), value)
    }

    #[test]
    fn a_small_count_takes_its_smallest_sibling_with_it() {
        let cells = [
            cell(Place::Total, 40),
            part("sex", 3),
            part("sex", 20),
            part("sex", 17),
        ];
        assert_eq!(protect(&cells), vec![Some(40.0), None, Some(20.0), None]);
    }

    #[test]
    fn withholding_the_total_spreads_to_every_dimension() {
        // The only sibling of the small count is the total: it goes, and then every other
        // dimension loses its smallest cell.
        let cells = [
            cell(Place::Total, 9),
            part("sex", 3),
            part("age_group", 6),
            part("age_group", 7),
            part("citizenship", 5),
            part("citizenship", 9),
        ];
        let shown = protect(&cells);
        assert_eq!(shown[0], None, "the total");
        assert_eq!(shown[1], None);
        assert_eq!(shown[2], None, "the smaller age cell");
        assert_eq!(shown[3], Some(7.0));
        assert_eq!(shown[4], None);
        assert_eq!(shown[5], Some(9.0));
    }

    #[test]
    fn zeros_and_large_counts_alone_are_shown_and_zeros_are_chosen_last() {
        let cells = [cell(Place::Total, 12), part("sex", 0), part("sex", 12)];
        assert_eq!(protect(&cells), vec![Some(12.0), Some(0.0), Some(12.0)]);
        let cells = [
            cell(Place::Total, 12),
            part("sex", 0),
            part("sex", 2),
            part("sex", 10),
        ];
        assert_eq!(protect(&cells), vec![Some(12.0), Some(0.0), None, None]);
    }

    #[test]
    fn without_a_total_the_other_dimensions_still_protect() {
        // female + male = child + adult: a withheld female is male's complement unless one of
        // the age cells goes too.
        let cells = [
            part("sex", 3),
            part("sex", 30),
            part("age_group", 20),
            part("age_group", 13),
        ];
        assert_eq!(protect(&cells), vec![None, Some(30.0), Some(20.0), None]);
    }

    #[test]
    fn confidential_values_are_withheld_cells() {
        let confidential = Cell {
            place: Place::Part("sex".into()),
            value: Some(50.0),
            withheld: primary(Some(50.0), true, true, 5),
        };
        let cells = [cell(Place::Total, 80), confidential, part("sex", 30)];
        assert_eq!(protect(&cells), vec![Some(80.0), None, None]);
        assert!(primary(None, false, true, 5));
        assert!(!primary(Some(3.0), false, false, 5), "not a count");
    }

    /// Rank of integer rows by fraction-free elimination (rows reduced by their gcd, so the
    /// small coefficients here stay small).
    fn rank(mut rows: Vec<Vec<i128>>) -> usize {
        fn gcd(a: i128, b: i128) -> i128 {
            if b == 0 {
                a.abs()
            } else {
                gcd(b, a % b)
            }
        }
        let width = rows.first().map_or(0, Vec::len);
        let mut rank = 0;
        for col in 0..width {
            let Some(p) = (rank..rows.len()).find(|&r| rows[r][col] != 0) else {
                continue;
            };
            rows.swap(rank, p);
            let pivot = rows[rank].clone();
            for (r, row) in rows.iter_mut().enumerate() {
                let f = row[col];
                if r == rank || f == 0 {
                    continue;
                }
                let reduced: Vec<i128> = row
                    .iter()
                    .zip(&pivot)
                    .map(|(x, y)| x * pivot[col] - y * f)
                    .collect();
                let g = reduced.iter().fold(0, |g, &x| gcd(g, x));
                *row = reduced
                    .into_iter()
                    .map(|x| if g > 1 { x / g } else { x })
                    .collect();
            }
            rank += 1;
        }
        rank
    }

    /// A random group: up to four dimensions of one to five cells, some absent, some
    /// confidential, maybe no total.
    fn group() -> impl Strategy<Value = Vec<Cell>> {
        let value = prop_oneof![3 => 0u32..5, 3 => 5u32..40, 1 => Just(0u32)];
        let slot = proptest::option::weighted(0.8, (value, proptest::bool::weighted(0.1)));
        (
            proptest::option::weighted(0.8, 0u32..200),
            proptest::collection::vec(proptest::collection::vec(slot, 1..6), 0..5),
        )
            .prop_map(|(total, dims)| {
                let mut cells: Vec<Cell> =
                    total.map(|t| cell(Place::Total, t)).into_iter().collect();
                for (d, slots) in dims.into_iter().enumerate() {
                    for (v, confidential) in slots.into_iter().flatten() {
                        let value = Some(f64::from(v));
                        cells.push(Cell {
                            place: Place::Part(format!("d{d}")),
                            value,
                            withheld: primary(value, confidential, true, 5),
                        });
                    }
                }
                cells
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_withheld_cell_is_determined_by_what_is_shown(cells in group()) {
            let shown = protect(&cells);
            for (c, s) in cells.iter().zip(&shown) {
                if c.withheld {
                    prop_assert!(s.is_none(), "primary cell shown");
                }
                if let Some(v) = s {
                    prop_assert_eq!(Some(*v), c.value, "shown cell altered");
                }
            }
            // Unknowns: the withheld cells, and the total when the group has none.
            let has_total = cells.iter().any(|c| c.place == Place::Total);
            let mut unknown: Vec<usize> = (0..cells.len()).filter(|&i| shown[i].is_none()).collect();
            let virtual_total = cells.len();
            if !has_total {
                unknown.push(virtual_total);
            }
            let column = |i: usize| unknown.iter().position(|&u| u == i);
            let mut dims: Vec<&str> = cells
                .iter()
                .filter_map(|c| match &c.place { Place::Part(d) => Some(d.as_str()), Place::Total => None })
                .collect();
            dims.sort_unstable();
            dims.dedup();
            // Each equation, total - sum of the dimension's cells = 0, over the unknowns only
            // (the shown cells move to the right-hand side).
            let rows: Vec<Vec<i128>> = dims
                .iter()
                .map(|d| {
                    let mut row = vec![0i128; unknown.len()];
                    for (i, c) in cells.iter().enumerate() {
                        let coefficient = match &c.place {
                            Place::Total => 1,
                            Place::Part(p) if p == d => -1,
                            Place::Part(_) => 0,
                        };
                        if let Some(col) = column(i) {
                            row[col] += coefficient;
                        }
                    }
                    if let Some(col) = column(virtual_total) {
                        row[col] += 1;
                    }
                    row
                })
                .collect();
            let base = rank(rows.clone());
            for (col, &u) in unknown.iter().enumerate() {
                if u == virtual_total {
                    continue;
                }
                let mut with_unit = rows.clone();
                let mut unit = vec![0i128; unknown.len()];
                unit[col] = 1;
                with_unit.push(unit);
                prop_assert!(
                    rank(with_unit) > base,
                    "withheld cell {} is determined: {:?} shown as {:?}", u, cells, shown
                );
            }
        }
    }
}
