import Foundation
import SirekapFormat

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Wall-clock time for records, unless SOURCE_DATE_EPOCH pins it (reproducible builds convention).
enum Clock {
    static func nowISO8601() -> String {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Int(text) {
            return KPUTimestamp.iso8601(unixSeconds: seconds)
        }
        return KPUTimestamp.iso8601(unixSeconds: Int(Date().timeIntervalSince1970))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`, the one form the store records.
    static func isISO8601UTC(_ text: String) -> Bool {
        let wib = text.replacingOccurrences(of: "T", with: " ")
        return text.count == 20 && text.hasSuffix("Z") && text.dropFirst(10).first == "T"
            && KPUTimestamp(String(wib.dropLast())) != nil
    }
}

/// Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise
/// (so CI logs stay short).
final class ProgressLine {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast
    private var showing = false

    init(label: String) { self.label = label }

    func update(_ text: String) {
        let now = Date()
        let interval: TimeInterval = isTerminal ? 0.2 : 5
        guard now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(text)".utf8))
            showing = true
        } else {
            printError("\(label): \(text)")
        }
    }

    /// A line that must stay visible (an error, a notice).
    func message(_ text: String) {
        finish()
        printError(text)
    }

    func finish() {
        if showing {
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            showing = false
        }
    }
}
