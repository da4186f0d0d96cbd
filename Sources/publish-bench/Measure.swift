import Foundation

/// Wall time and peak memory of one child process, read from the kernel (`wait4`'s rusage), so
/// each step is measured on its own and nothing is sampled.
struct Measurement {
    let seconds: Double
    /// Peak resident set size in bytes.
    let peakBytes: Int
    let status: Int32
    let output: String

    var peakMB: Double { Double(peakBytes) / 1_048_576 }
}

enum Measure {
    /// Runs `arguments[0]` with the rest as its arguments; stdout is captured, stderr passes through.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Measurement {
        var outputPipe: [Int32] = [0, 0]
        guard pipe(&outputPipe) == 0 else { throw BenchError("pipe failed") }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, outputPipe[0])

        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        close(outputPipe[1])
        guard spawned == 0 else {
            close(outputPipe[0])
            throw BenchError("cannot start \(arguments[0]) (error \(spawned))")
        }
        let output = FileHandle(fileDescriptor: outputPipe[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // Linux reports ru_maxrss in kilobytes.
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Measurement(seconds: seconds, peakBytes: Int(usage.ru_maxrss) * 1024, status: exit,
                           output: String(decoding: output, as: UTF8.self))
    }

    /// Like `run`, but a failing step stops the benchmark.
    static func require(_ step: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Measurement {
        FileHandle.standardError.write(Data("bench: \(step)...\n".utf8))
        let measurement = try run(arguments, environment: environment)
        guard measurement.status == 0 else {
            throw BenchError("\(step) failed (exit \(measurement.status)): \(arguments.joined(separator: " "))")
        }
        FileHandle.standardError.write(Data(String(format: "bench: %@: %.1f s, peak %.0f MB\n", step, measurement.seconds, measurement.peakMB).utf8))
        return measurement
    }
}
