import SirekapFormat

/// Evaluates the rules on one TPS result. Pure: the same result always gives the same flags,
/// in the order of `Rule.allCases`.
public enum QualityCheck {
    /// Each form field's position in `Administrasi.slots`, looked up once: the rules run for
    /// every TPS of every build, and a name lookup per value was a tenth of loading the tree.
    private static func slot(_ field: String) -> Int { Administrasi.position(of: field)! }
    private static let sah = slot("suara_sah"), tidakSah = slot("suara_tidak_sah"), total = slot("suara_total")
    private static let voters = slot("pengguna_total_j"), dpt = slot("pemilih_dpt_j")
    /// (x, pengguna_total_x, pengguna_dpt_x, pengguna_dptb_x, pengguna_non_dpt_x) for x in j, l, p.
    private static let voterSums = ["j", "l", "p"].map {
        ($0, slot("pengguna_total_\($0)"), slot("pengguna_dpt_\($0)"), slot("pengguna_dptb_\($0)"), slot("pengguna_non_dpt_\($0)"))
    }
    /// (base, base_j, base_l, base_p) for the five rows that split by gender.
    private static let genderSums = ["pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total"].map {
        ($0, slot($0 + "_j"), slot($0 + "_l"), slot($0 + "_p"))
    }

    public static func anomalies(in result: TPSResult) -> [Anomaly] {
        var found: [Anomaly] = []
        let form = result.administrasi
        func value(_ position: Int) -> Int? { form?.slots[position] ?? nil }

        // S, the sum of the candidates' votes: defined only when the chart holds at least one
        // candidate and every candidate value is an integer.
        let sum: Int? = {
            guard let chart = result.chart, !chart.isEmpty, chart.entries.allSatisfy({ $0.votes != nil }) else { return nil }
            return chart.sum
        }()

        if let sum, let sah = value(sah), sum != sah {
            found.append(Anomaly(rule: .sumNotEqualSah, detail: "S = \(sum), suara_sah = \(sah)"))
        }
        if let sah = value(sah), let tidakSah = value(tidakSah), let total = value(total),
           sah + tidakSah != total {
            found.append(Anomaly(rule: .sahPlusTidakSahNotEqualTotal,
                                 detail: "suara_sah \(sah) + suara_tidak_sah \(tidakSah) = \(sah + tidakSah), suara_total = \(total)"))
        }
        if let total = value(total), let voters = value(voters), total != voters {
            found.append(Anomaly(rule: .totalNotEqualVoters, detail: "suara_total = \(total), pengguna_total_j = \(voters)"))
        }
        var voterParts: [String] = []
        for (x, totalSlot, dptSlot, dptbSlot, nonDPTSlot) in voterSums {
            guard let total = value(totalSlot), let dpt = value(dptSlot),
                  let dptb = value(dptbSlot), let nonDPT = value(nonDPTSlot) else { continue }
            if total != dpt + dptb + nonDPT {
                voterParts.append("pengguna_total_\(x) = \(total), pengguna_dpt_\(x) \(dpt) + pengguna_dptb_\(x) \(dptb) + pengguna_non_dpt_\(x) \(nonDPT) = \(dpt + dptb + nonDPT)")
            }
        }
        if !voterParts.isEmpty {
            found.append(Anomaly(rule: .votersSumMismatch, detail: voterParts.joined(separator: "; ")))
        }
        var genderParts: [String] = []
        for (base, jSlot, lSlot, pSlot) in genderSums {
            guard let j = value(jSlot), let l = value(lSlot), let p = value(pSlot) else { continue }
            if j != l + p { genderParts.append("\(base)_j = \(j), _l \(l) + _p \(p) = \(l + p)") }
        }
        if !genderParts.isEmpty {
            found.append(Anomaly(rule: .genderSumMismatch, detail: genderParts.joined(separator: "; ")))
        }
        if let sum, let dpt = value(dpt), dpt > 0, 100 * sum > 102 * dpt {
            found.append(Anomaly(rule: .votesOverDPT, detail: "S = \(sum) > 1.02 × pemilih_dpt_j \(dpt)"))
        }
        if let sum, let dpt = value(dpt), dpt == 0, sum > 0 {
            found.append(Anomaly(rule: .dptZeroWithVotes, detail: "pemilih_dpt_j = 0, S = \(sum)"))
        }
        var outOfRange: [String] = []
        for entry in result.chart?.entries ?? [] {
            if let votes = entry.votes, votes < 0 || votes > 999 { outOfRange.append("chart.\(entry.candidate) = \(votes)") }
        }
        for (position, field) in Administrasi.fieldNames.enumerated() {
            if let number = value(position), number < 0 || number > 999 { outOfRange.append("\(field) = \(number)") }
        }
        if !outOfRange.isEmpty {
            found.append(Anomaly(rule: .countOutOfRange, detail: outOfRange.joined(separator: ", ")))
        }
        let chartHasValue = result.chart?.entries.contains { $0.votes != nil } ?? false
        var statusParts: [String] = []
        if result.statusSuara != chartHasValue {
            statusParts.append("status_suara = \(result.statusSuara), chart \(chartHasValue ? "has" : "has no") candidate value")
        }
        if result.statusAdm != (form != nil) {
            statusParts.append("status_adm = \(result.statusAdm), administrasi \(form != nil ? "present" : "null")")
        }
        if !statusParts.isEmpty {
            found.append(Anomaly(rule: .statusMismatch, detail: statusParts.joined(separator: "; ")))
        }
        return found
    }
}
