import Foundation

/// Hands out `0..<count` in runs of `length`, to whichever worker asks next.
public final class NextRun: @unchecked Sendable {
    private let lock = NSLock()
    private var start = 0
    private let count: Int
    private let length: Int
    private var stopped = false

    public init(count: Int, length: Int) {
        self.count = count
        self.length = length
    }

    /// The next run, or nil when all are handed out (or `stop` was called).
    public func take() -> Range<Int>? {
        lock.lock()
        defer { lock.unlock() }
        guard start < count, !stopped else { return nil }
        let run = start..<min(start + length, count)
        start = run.upperBound
        return run
    }

    /// Hands out nothing more: a worker failed, and the others finish the run they hold.
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }
}
