fn main() -> std::process::ExitCode {
    medssl::cli::main()
}
