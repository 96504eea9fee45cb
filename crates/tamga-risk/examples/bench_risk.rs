//! `cargo run --release -p tamga-risk --example bench_risk -- [SECONDS] [PROFILES…]`
fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let mut sizes: Vec<usize> = args.filter_map(|s| s.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![10, 100, 1000, 10000];
    }
    for n in sizes {
        println!("{}", tamga_risk::run_risk_bench(n, seconds));
    }
}
