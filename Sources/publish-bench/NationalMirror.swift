import Foundation

/// A deterministic pseudo-random generator (SplitMix64): the same seed gives the same mirror on
/// every machine, so two benchmark runs measure the same input.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { next() % 100 < UInt64(percent) }
}

/// Builds a national-scale mirror in KPU's raw byte format: the real region tree (every region list
/// of the archived harvest) and seeded, internally consistent synthetic TPS results, with a share of
/// TPS left without a result, as on the real site in March 2024. All numbers are invented.
struct NationalMirror {
    let archive: String
    let root: String
    let seed: UInt64
    /// Percentage of TPS that get a result file.
    let withResults: Int
    /// Restrict to one province (its two-digit code), or nil for the whole country.
    let province: String?

    struct Summary {
        var tps = 0
        var results = 0
        var regionLists = 0
        var resultCodes: [String] = []
    }

    func make() throws -> Summary {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try extractRegionLists()
        var summary = Summary()
        var random = SeededRandom(seed: seed)
        // Villages in byte order, so the result does not depend on directory listing order.
        let villages = try villageLists()
        summary.regionLists = villages.count
        for village in villages {
            let data = try Data(contentsOf: URL(fileURLWithPath: root + "/wilayah/pemilu/ppwp/" + village))
            guard let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { continue }
            let folder = root + "/pemilu/hhcw/ppwp/" + String(village.dropLast(".json".count))
            var madeFolder = false
            for entry in entries {
                guard let code = entry["kode"] as? String, code.count == 13 else { continue }
                summary.tps += 1
                guard random.chance(withResults) else { continue }
                if !madeFolder {
                    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                    madeFolder = true
                }
                let result = SyntheticResult(random: &random, day: 14)
                try write(result.json, to: folder + "/" + code + ".json")
                summary.results += 1
                summary.resultCodes.append(code)
            }
        }
        return summary
    }

    /// A later harvest: `count` TPS (chosen with the seed) with a newer, different result.
    static func laterHarvest(codes: [String], count: Int, seed: UInt64, day: Int = 20, root: String) throws -> [String] {
        var random = SeededRandom(seed: seed ^ 0x5EED)
        var chosen = Set<Int>()
        while chosen.count < min(count, codes.count) { chosen.insert(random.int(0...(codes.count - 1))) }
        let picked = chosen.sorted().map { codes[$0] }
        for code in picked {
            let path = [2, 4, 6, 10].map { String(code.prefix($0)) }.joined(separator: "/")
            let folder = root + "/pemilu/hhcw/ppwp/" + path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let result = SyntheticResult(random: &random, day: day)
            try NationalMirror.writeFile(result.json, to: folder + "/" + code + ".json")
        }
        return picked
    }

    func extractRegionLists() throws {
        var arguments = ["xzf", archive, "-C", root]
        if let province {
            // The list of provinces, and everything under the one province.
            arguments += ["wilayah/pemilu/ppwp/0.json", "wilayah/pemilu/ppwp/\(province).json", "wilayah/pemilu/ppwp/\(province)"]
        }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        tar.arguments = ["tar"] + arguments
        try tar.run()
        tar.waitUntilExit()
        guard tar.terminationStatus == 0 else { throw BenchError("tar \(arguments.joined(separator: " ")) failed") }
    }

    /// Paths (relative to wilayah/pemilu/ppwp/) of the village lists, whose entries are TPS.
    func villageLists() throws -> [String] {
        let base = root + "/wilayah/pemilu/ppwp"
        guard let enumerator = FileManager.default.enumerator(atPath: base) else { return [] }
        var lists: [String] = []
        while let item = enumerator.nextObject() as? String {
            // prov/kab/kec/kel.json: three slashes, a ten-digit name.
            if item.hasSuffix(".json"), item.split(separator: "/").count == 4 { lists.append(item) }
        }
        return lists.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func write(_ text: String, to path: String) throws { try NationalMirror.writeFile(text, to: path) }

    static func writeFile(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BenchError("\(path): cannot create (errno \(errno))") }
        defer { close(fd) }
        var text = text
        try text.withUTF8 { bytes in
            guard Glibc.write(fd, bytes.baseAddress, bytes.count) == bytes.count else { throw BenchError("\(path): short write") }
        }
    }
}

/// One TPS result with numbers that add up: votes sum to suara_sah, sah + tidak sah to the total,
/// the voter rows to the total, men + women to each row.
struct SyntheticResult {
    let json: String

    init(random: inout SeededRandom, day: Int) {
        let dpt = random.int(150...320)
        let turnout = dpt * random.int(60...90) / 100
        let invalid = random.int(0...max(1, turnout / 40))
        let valid = turnout - invalid
        let first = valid * random.int(10...40) / 100
        let second = (valid - first) * random.int(40...85) / 100
        let votes = [first, second, valid - first - second]
        let dptb = random.int(0...3)
        let usedDPT = turnout - dptb
        func split(_ total: Int, _ random: inout SeededRandom) -> (Int, Int) {
            let men = total / 2 + (total > 1 ? random.int(-1...1) : 0)
            return (men, total - men)
        }
        let (dptL, dptP) = split(dpt, &random)
        let (usedL, usedP) = split(usedDPT, &random)
        let (dptbL, dptbP) = split(dptb, &random)
        let form: [(String, Int)] = [
            ("suara_sah", valid), ("suara_total", turnout),
            ("pemilih_dpt_j", dpt), ("pemilih_dpt_l", dptL), ("pemilih_dpt_p", dptP),
            ("pengguna_dpt_j", usedDPT), ("pengguna_dpt_l", usedL), ("pengguna_dpt_p", usedP),
            ("pengguna_dptb_j", dptb), ("pengguna_dptb_l", dptbL), ("pengguna_dptb_p", dptbP),
            ("suara_tidak_sah", invalid),
            ("pengguna_total_j", turnout), ("pengguna_total_l", usedL + dptbL), ("pengguna_total_p", usedP + dptbP),
            ("pengguna_non_dpt_j", 0), ("pengguna_non_dpt_l", 0), ("pengguna_non_dpt_p", 0),
        ]
        let hour = random.int(8...23), minute = random.int(0...59), second2 = random.int(0...59)
        let ts = String(format: "2024-02-%02d %02d:%02d:%02d", day, hour, minute, second2)
        json = """
            {
                "chart": {
                    "null": null,
                    "100025": \(votes[0]),
                    "100026": \(votes[1]),
                    "100027": \(votes[2])
                },
                "images": [
                    null,
                    null,
                    null
                ],
                "administrasi": {
            \(form.map { "        \"\($0.0)\": \($0.1)" }.joined(separator: ",\n"))
                },
                "psu": null,
                "ts": "\(ts)",
                "status_suara": true,
                "status_adm": true
            }
            """
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
