//! The EMA bond rows of one epoch, kept from the pass that sums their columns for the pass
//! that normalises them, when they fit a memory budget. Both passes need every row; computing
//! a row costs a merge of the weight and bond rows and several fixed-point operations per
//! entry, copying it back costs a load. A contract has 1 MiB in all, so a large subnet (64 full
//! rows of 1,024 UIDs) computes its rows twice instead; results are identical either way.
use alloc::vec::Vec;

use crate::fixed::I32F32;

/// Most bytes the kept rows may take (a u16 column and an I32F32 value per entry).
pub const BUDGET_BYTES: usize = 200 * 1024;
const ENTRY_BYTES: usize = core::mem::size_of::<u16>() + core::mem::size_of::<I32F32>();

pub struct EmaRows {
    /// Row `i` is `cols[starts[i]..starts[i + 1]]` (and the same range of `vals`).
    starts: Vec<usize>,
    cols: Vec<u16>,
    vals: Vec<I32F32>,
}

impl EmaRows {
    /// Room for rows of `entries` entries in all, or `None` when that exceeds the budget.
    pub fn within_budget(rows: usize, entries: usize) -> Option<Self> {
        if entries.saturating_mul(ENTRY_BYTES) > BUDGET_BYTES {
            return None;
        }
        let mut starts = Vec::with_capacity(rows.saturating_add(1));
        starts.push(0);
        Some(Self {
            starts,
            cols: Vec::with_capacity(entries),
            vals: Vec::with_capacity(entries),
        })
    }

    /// Keeps the next row (rows are kept in order, one per neuron).
    pub fn push(&mut self, row: &[(u16, I32F32)]) {
        for &(j, v) in row {
            self.cols.push(j);
            self.vals.push(v);
        }
        self.starts.push(self.cols.len());
    }

    /// Row `i` into `out` (cleared first).
    pub fn row_into(&self, i: usize, out: &mut Vec<(u16, I32F32)>) {
        out.clear();
        let (Some(&a), Some(&b)) = (self.starts.get(i), self.starts.get(i.saturating_add(1)))
        else {
            return;
        };
        if let (Some(cols), Some(vals)) = (self.cols.get(a..b), self.vals.get(a..b)) {
            out.extend(cols.iter().copied().zip(vals.iter().copied()));
        }
    }
}
