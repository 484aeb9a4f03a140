//! Peak heap of `run_epoch_streaming` beyond its input, measured with a counting global
//! allocator (this test binary only), for n = 1024 UIDs, 64 validators with full weight rows
//! (65,536 entries) and full bond rows, in each bond mode; and n = 256, where the EMA rows
//! are kept between passes.

#[path = "common/scenario.rs"]
mod scenario;

#[path = "common/counting.rs"]
mod counting;

fn peak_of_epoch(s: &scenario::Scenario) -> usize {
    let neurons = s.neurons();
    let input = s.input_with(&neurons);
    let mut written = 0_usize;
    let (out, peak) = counting::peak_during(|| yuma::run_epoch_streaming(&input, |_, row| written += row.len()));
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
    // At 256 UIDs the EMA rows are kept between their two passes (at most 200 KiB more).
    let s = scenario::Scenario::new(256, 64, false, false);
    let peak = peak_of_epoch(&s);
    report.push(format!("classic n=256: peak {peak} B beyond the input (EMA rows kept)"));
    assert!(peak > 160 * 1024 && peak < 300 * 1024, "n=256: peak heap {peak} B");
    for line in &report {
        eprintln!("{line}");
    }
}

