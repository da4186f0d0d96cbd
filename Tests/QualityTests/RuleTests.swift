import Quality
import SirekapFormat
import Testing

/// A consistent result (no rule fires), changed per test to sit just on one side of a boundary.
func result(votes: [Int?]? = [100, 50, 24], form: [String: Int?]? = consistentForm(),
            statusSuara: Bool? = nil, statusAdm: Bool? = nil) -> TPSResult {
    let chart = votes.map { v in CandidateVotes(["100025": v[0], "100026": v[1], "100027": v[2]]) }
    let administrasi = form.map(Administrasi.init)
    return TPSResult(chart: chart, images: [nil, nil, nil], administrasi: administrasi,
                     ts: KPUTimestamp("2024-02-16 16:25:10")!,
                     statusSuara: statusSuara ?? (votes != nil), statusAdm: statusAdm ?? (form != nil))
}

/// 174 valid + 2 invalid = 176 ballots from 176 voters (170 DPT, 4 DPTb, 2 DPK) of 250 registered.
func consistentForm() -> [String: Int?] {
    [
        "suara_sah": 174, "suara_tidak_sah": 2, "suara_total": 176,
        "pemilih_dpt_j": 250, "pemilih_dpt_l": 120, "pemilih_dpt_p": 130,
        "pengguna_dpt_j": 170, "pengguna_dpt_l": 80, "pengguna_dpt_p": 90,
        "pengguna_dptb_j": 4, "pengguna_dptb_l": 2, "pengguna_dptb_p": 2,
        "pengguna_non_dpt_j": 2, "pengguna_non_dpt_l": 1, "pengguna_non_dpt_p": 1,
        "pengguna_total_j": 176, "pengguna_total_l": 83, "pengguna_total_p": 93,
    ]
}

func form(_ changes: [String: Int?]) -> [String: Int?] {
    consistentForm().merging(changes) { $1 }
}

func rules(_ result: TPSResult) -> [Rule] { QualityCheck.anomalies(in: result).map(\.rule) }

@Suite struct RuleTests {
    @Test func consistentResultRaisesNothing() {
        #expect(rules(result()) == [])
    }

    @Test func emptyTPSRaisesNothing() {
        #expect(rules(result(votes: nil, form: nil)) == [])
    }

    // SUM_NE_SAH
    @Test func sumNotEqualSah() {
        #expect(rules(result(votes: [100, 50, 25])).contains(.sumNotEqualSah))
        #expect(rules(result(votes: [100, 50, 23])).contains(.sumNotEqualSah))
        #expect(!rules(result(votes: [100, 50, 24])).contains(.sumNotEqualSah))
        let detail = QualityCheck.anomalies(in: result(votes: [100, 50, 25])).first { $0.rule == .sumNotEqualSah }?.detail
        #expect(detail == "S = 175, suara_sah = 174")
    }

    @Test func sumNeedsEveryCandidateValue() {
        // A null candidate value: S is undefined, so neither S rule can fire.
        let flags = rules(result(votes: [100, nil, 24], form: form(["pemilih_dpt_j": 0, "pemilih_dpt_l": 0, "pemilih_dpt_p": 0])))
        #expect(!flags.contains(.sumNotEqualSah))
        #expect(!flags.contains(.dptZeroWithVotes))
        #expect(!rules(result(form: form(["suara_sah": nil]))).contains(.sumNotEqualSah))
    }

    // SAH_TIDAK_SAH_NE_TOTAL
    @Test func sahPlusTidakSahNotEqualTotal() {
        #expect(rules(result(form: form(["suara_total": 177]))).contains(.sahPlusTidakSahNotEqualTotal))
        #expect(rules(result(form: form(["suara_total": 175]))).contains(.sahPlusTidakSahNotEqualTotal))
        #expect(!rules(result(form: form(["suara_tidak_sah": nil, "suara_total": 177]))).contains(.sahPlusTidakSahNotEqualTotal))
    }

    // TOTAL_NE_VOTERS
    @Test func totalNotEqualVoters() {
        let flags = rules(result(form: form(["pengguna_total_j": 177, "pengguna_total_l": 84])))
        #expect(flags.contains(.totalNotEqualVoters))
        #expect(!rules(result(form: form(["pengguna_total_j": nil]))).contains(.totalNotEqualVoters))
        #expect(!rules(result()).contains(.totalNotEqualVoters))
    }

    // VOTERS_SUM_MISMATCH
    @Test func votersSumMismatch() {
        // Only the l column is off: the rule looks at j, l and p separately.
        let flags = QualityCheck.anomalies(in: result(form: form(["pengguna_dpt_l": 81, "pengguna_dpt_j": 171])))
        #expect(flags.map(\.rule).contains(.votersSumMismatch))
        #expect(flags.first { $0.rule == .votersSumMismatch }?.detail.contains("pengguna_total_l = 83") == true)
        #expect(!rules(result(form: form(["pengguna_dptb_l": nil, "pengguna_dptb_j": nil, "pengguna_dptb_p": nil]))).contains(.votersSumMismatch))
    }

    // GENDER_SUM_MISMATCH
    @Test func genderSumMismatch() {
        #expect(rules(result(form: form(["pemilih_dpt_l": 121]))).contains(.genderSumMismatch))
        #expect(rules(result(form: form(["pemilih_dpt_l": 119]))).contains(.genderSumMismatch))
        #expect(!rules(result(form: form(["pemilih_dpt_l": nil]))).contains(.genderSumMismatch))
    }

    // VOTES_OVER_DPT: 100 × S > 102 × DPT
    @Test func votesOverDPTAtTheTwoPercentBoundary() {
        // DPT 150: 1.02 × 150 = 153. S = 153 does not fire, S = 154 does.
        let atLimit = form(["suara_sah": 153, "pemilih_dpt_j": 150, "pemilih_dpt_l": 75, "pemilih_dpt_p": 75])
        #expect(!rules(result(votes: [100, 50, 3], form: atLimit)).contains(.votesOverDPT))
        let over = form(["suara_sah": 154, "pemilih_dpt_j": 150, "pemilih_dpt_l": 75, "pemilih_dpt_p": 75])
        #expect(rules(result(votes: [100, 50, 4], form: over)).contains(.votesOverDPT))
        #expect(!rules(result(votes: [100, 50, 4], form: form(["pemilih_dpt_j": nil]))).contains(.votesOverDPT))
    }

    @Test func votesOverDPTNeedsAPositiveDPT() {
        let zero = form(["pemilih_dpt_j": 0, "pemilih_dpt_l": 0, "pemilih_dpt_p": 0])
        #expect(!rules(result(form: zero)).contains(.votesOverDPT))
    }

    // DPT_ZERO_WITH_VOTES
    @Test func dptZeroWithVotes() {
        let zero = form(["pemilih_dpt_j": 0, "pemilih_dpt_l": 0, "pemilih_dpt_p": 0])
        #expect(rules(result(votes: [1, 0, 0], form: zero)).contains(.dptZeroWithVotes))
        #expect(!rules(result(votes: [0, 0, 0], form: zero)).contains(.dptZeroWithVotes))
        #expect(!rules(result(votes: [1, 0, 0], form: form(["pemilih_dpt_j": 1]))).contains(.dptZeroWithVotes))
    }

    // COUNT_OUT_OF_RANGE
    @Test func countOutOfRange() {
        #expect(rules(result(votes: [1000, 50, 24])).contains(.countOutOfRange))
        #expect(!rules(result(votes: [999, 50, 24])).contains(.countOutOfRange))
        #expect(rules(result(form: form(["suara_tidak_sah": -1]))).contains(.countOutOfRange))
        #expect(!rules(result(form: form(["suara_tidak_sah": 0, "suara_total": 174, "pengguna_total_j": 174]))).contains(.countOutOfRange))
        let detail = QualityCheck.anomalies(in: result(votes: [1551, 50, 24])).first { $0.rule == .countOutOfRange }?.detail
        #expect(detail == "chart.100025 = 1551")
    }

    // STATUS_MISMATCH
    @Test func statusMismatch() {
        #expect(rules(result(votes: nil, statusSuara: true)).contains(.statusMismatch))
        #expect(rules(result(statusSuara: false)).contains(.statusMismatch))
        #expect(rules(result(form: nil, statusAdm: true)).contains(.statusMismatch))
        #expect(!rules(result(votes: nil, form: nil)).contains(.statusMismatch))
        // A chart holding only the junk key (read as empty) has no candidate value.
        let junkOnly = TPSResult(chart: CandidateVotes([:]), images: [], administrasi: nil,
                                 ts: KPUTimestamp("2024-02-15 07:00:44")!, statusSuara: true, statusAdm: false)
        #expect(rules(junkOnly) == [.statusMismatch])
    }

    @Test func everyRuleHasItsPublishedID() {
        #expect(Rule.allCases.map(\.id) == [
            "SUM_NE_SAH", "SAH_TIDAK_SAH_NE_TOTAL", "TOTAL_NE_VOTERS", "VOTERS_SUM_MISMATCH", "GENDER_SUM_MISMATCH",
            "VOTES_OVER_DPT", "DPT_ZERO_WITH_VOTES", "COUNT_OUT_OF_RANGE", "STATUS_MISMATCH",
        ])
    }
}

@Suite struct RevisionTests {
    @Test func listsChangedFieldsOnly() {
        let older = result(votes: [186, 44, 8], form: form(["suara_sah": 238]))
        var newer = result(votes: [144, 19, 2], form: form(["suara_sah": 165]))
        newer.ts = KPUTimestamp("2024-02-20 13:00:00")!
        let revision = Revision(from: older, to: newer)
        #expect(revision.fromTS == "2024-02-16 16:25:10")
        #expect(revision.toTS == "2024-02-20 13:00:00")
        #expect(revision.changes.map(\.field) == ["chart.100025", "chart.100026", "chart.100027", "administrasi.suara_sah"])
        #expect(revision.changes[0].old == "186" && revision.changes[0].new == "144")
    }

    @Test func chartAppearingIsAChange() {
        let revision = Revision(from: result(votes: nil), to: result())
        #expect(revision.changes.first?.field == "chart")
        #expect(revision.changes.contains { $0.field == "chart.100025" && $0.old == nil && $0.new == "100" })
        #expect(revision.changes.contains { $0.field == "status_suara" })
    }

    @Test func historyComparesEachVersionWithThePreviousOne() {
        let a = result(votes: [1, 1, 1]), b = result(votes: [2, 1, 1]), c = result(votes: [2, 3, 1])
        let history = Revision.history([c, b, a])
        #expect(history.count == 2)
        #expect(history[0].changes.map(\.field).contains("chart.100026"))
        #expect(history[1].changes.map(\.field).contains("chart.100025"))
        #expect(Revision.history([a]).isEmpty)
    }
}
