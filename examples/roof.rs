fn main() {
    let r = btpow::engine::roofline::measure(std::time::Duration::from_millis(300));
    println!("{:#?}", r);
}
