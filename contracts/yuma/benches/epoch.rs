//! One epoch for n = 256, 1024, 4096 UIDs with 64 validators setting full weight rows and
//! holding full bond rows from a previous epoch, in both bond modes (Yuma3 with and without
//! liquid alpha).

#[path = "../tests/common/scenario.rs"]
mod scenario;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

fn epoch(c: &mut Criterion) {
    let mut group = c.benchmark_group("epoch");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [256_usize, 1024, 4096] {
        for (mode, yuma3, liquid) in [
            ("classic", false, false),
            ("yuma3", true, false),
            ("yuma3_liquid", true, true),
        ] {
            let s = scenario::Scenario::new(n, 64, yuma3, liquid);
            let neurons = s.neurons();
            let input = s.input_with(&neurons);
            group.bench_with_input(BenchmarkId::new(mode, n), &input, |b, input| {
                b.iter(|| {
                    let mut written = 0_usize;
                    let out =
                        yuma::run_epoch_streaming(black_box(input), |_, row| written += row.len());
                    black_box((out, written))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, epoch);
criterion_main!(benches);
