import SirekapFormat

/// Evaluates the rules on one TPS result. Pure: the same result always gives the same flags,
/// in the order of `Rule.allCases`.
public enum QualityCheck {
    public static func anomalies(in result: TPSResult) -> [Anomaly] {
        var found: [Anomaly] = []
        let form = result.administrasi
        func value(_ field: String) -> Int? { form?[field] }

        // S, the sum of the candidates' votes: defined only when the chart holds at least one
        // candidate and every candidate value is an integer.
        let sum: Int? = {
            guard let chart = result.chart, !chart.isEmpty, chart.entries.allSatisfy({ $0.votes != nil }) else { return nil }
            return chart.sum
        }()

        if let sum, let sah = value("suara_sah"), sum != sah {
            found.append(Anomaly(rule: .sumNotEqualSah, detail: "S = \(sum), suara_sah = \(sah)"))
        }
        if let sah = value("suara_sah"), let tidakSah = value("suara_tidak_sah"), let total = value("suara_total"),
           sah + tidakSah != total {
            found.append(Anomaly(rule: .sahPlusTidakSahNotEqualTotal,
                                 detail: "suara_sah \(sah) + suara_tidak_sah \(tidakSah) = \(sah + tidakSah), suara_total = \(total)"))
        }
        if let total = value("suara_total"), let voters = value("pengguna_total_j"), total != voters {
            found.append(Anomaly(rule: .totalNotEqualVoters, detail: "suara_total = \(total), pengguna_total_j = \(voters)"))
        }
        var voterParts: [String] = []
        for x in ["j", "l", "p"] {
            guard let total = value("pengguna_total_\(x)"), let dpt = value("pengguna_dpt_\(x)"),
                  let dptb = value("pengguna_dptb_\(x)"), let nonDPT = value("pengguna_non_dpt_\(x)") else { continue }
            if total != dpt + dptb + nonDPT {
                voterParts.append("pengguna_total_\(x) = \(total), pengguna_dpt_\(x) \(dpt) + pengguna_dptb_\(x) \(dptb) + pengguna_non_dpt_\(x) \(nonDPT) = \(dpt + dptb + nonDPT)")
            }
        }
        if !voterParts.isEmpty {
            found.append(Anomaly(rule: .votersSumMismatch, detail: voterParts.joined(separator: "; ")))
        }
        var genderParts: [String] = []
        for base in ["pemilih_dpt", "pengguna_dpt", "pengguna_dptb", "pengguna_non_dpt", "pengguna_total"] {
            guard let j = value(base + "_j"), let l = value(base + "_l"), let p = value(base + "_p") else { continue }
            if j != l + p { genderParts.append("\(base)_j = \(j), _l \(l) + _p \(p) = \(l + p)") }
        }
        if !genderParts.isEmpty {
            found.append(Anomaly(rule: .genderSumMismatch, detail: genderParts.joined(separator: "; ")))
        }
        if let sum, let dpt = value("pemilih_dpt_j"), dpt > 0, 100 * sum > 102 * dpt {
            found.append(Anomaly(rule: .votesOverDPT, detail: "S = \(sum) > 1.02 × pemilih_dpt_j \(dpt)"))
        }
        if let sum, let dpt = value("pemilih_dpt_j"), dpt == 0, sum > 0 {
            found.append(Anomaly(rule: .dptZeroWithVotes, detail: "pemilih_dpt_j = 0, S = \(sum)"))
        }
        var outOfRange: [String] = []
        for entry in result.chart?.entries ?? [] {
            if let votes = entry.votes, votes < 0 || votes > 999 { outOfRange.append("chart.\(entry.candidate) = \(votes)") }
        }
        for field in Administrasi.fieldNames {
            if let number = value(field), number < 0 || number > 999 { outOfRange.append("\(field) = \(number)") }
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
