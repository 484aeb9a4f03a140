#[path = "../tests/common/scenario.rs"]
mod scenario;
fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(256);
    let yuma3 = std::env::args().nth(2).as_deref() == Some("y3");
    let s = scenario::Scenario::new(n, 64, yuma3, false);
    let neurons = s.neurons();
    let input = s.input_with(&neurons);
    let mut w = 0usize;
    let out = yuma::run_epoch_streaming(std::hint::black_box(&input), |_, r| w += r.len());
    println!("{} {}", out.len(), w);
}
