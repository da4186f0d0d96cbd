import Foundation

extension String {
    /// Whether this string's UTF-8 comes before `other`'s, byte by byte: the order of sorted
    /// JSON keys and of file names in the C locale. The same answer as
    /// `utf8.lexicographicallyPrecedes(other.utf8)`, which steps through both strings' iterators
    /// a byte at a time. Comparing the stored bytes with `memcmp` took the comparisons that sort
    /// every folder's entries and every chart's candidates in an import from 2.0% of its CPU
    /// samples to 0.2% (perf, Jawa Barat, 2026-11-26).
    public func utf8Precedes(_ other: String) -> Bool {
        let compared = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs -> Bool in
                let common = min(mine.count, theirs.count)
                if common > 0 {
                    let order = memcmp(mine.baseAddress!, theirs.baseAddress!, common)
                    if order != 0 { return order < 0 }
                }
                return mine.count < theirs.count
            }
        }
        return (compared ?? nil) ?? utf8.lexicographicallyPrecedes(other.utf8)
    }
}
