//! Peak heap of `run_epoch_streaming` beyond its input, measured with a counting global
//! allocator (this test binary only), for n = 1024 UIDs, 64 validators with full weight rows
//! (65,536 entries) and full bond rows, in each bond mode.

#[path = "common/scenario.rs"]
mod scenario;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn peak_of_epoch(s: &scenario::Scenario) -> usize {
    let neurons = s.neurons();
    let input = s.input_with(&neurons);
    let base = CURRENT.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let mut written = 0_usize;
    let out = yuma::run_epoch_streaming(&input, |_, row| written += row.len());
    let peak = PEAK.load(Ordering::SeqCst) - base;
    assert_eq!(out.len(), s.n);
    assert!(written > 0);
    drop(out);
    peak
}

/// One test function so that nothing else allocates concurrently in this binary.
#[test]
fn peak_heap_n1024_64_validators_full_rows() {
    let mut report = Vec::new();
    for (name, yuma3, liquid) in [
        ("classic", false, false),
        ("yuma3", true, false),
        ("yuma3+liquid", true, true),
    ] {
        let s = scenario::Scenario::new(1024, 64, yuma3, liquid);
        let (w, b) = s.entries();
        assert_eq!(w, 65_536);
        assert!(b >= 63 * 1024, "bond entries {b}");
        let peak = peak_of_epoch(&s);
        report.push(format!(
            "{name}: peak {peak} B beyond the input ({w} weight + {b} bond entries)"
        ));
        assert!(peak < 600 * 1024, "{name}: peak heap {peak} B");
    }
    for line in &report {
        eprintln!("{line}");
    }
}
