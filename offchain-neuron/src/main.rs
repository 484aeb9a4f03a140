fn main() -> std::process::ExitCode {
    offchain_neuron::cli::main()
}
