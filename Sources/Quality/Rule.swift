import SirekapFormat

/// A published data-quality rule. Each fires on the current version of a TPS result, and only
/// when every value it uses is present as an integer, so anyone can recompute every flag from
/// the raw files. A flag is a reason to look at the C1 form images, not proof of fraud.
public enum Rule: String, CaseIterable, Sendable, Comparable {
    case sumNotEqualSah = "SUM_NE_SAH"
    case sahPlusTidakSahNotEqualTotal = "SAH_TIDAK_SAH_NE_TOTAL"
    case totalNotEqualVoters = "TOTAL_NE_VOTERS"
    case votersSumMismatch = "VOTERS_SUM_MISMATCH"
    case genderSumMismatch = "GENDER_SUM_MISMATCH"
    case votesOverDPT = "VOTES_OVER_DPT"
    case dptZeroWithVotes = "DPT_ZERO_WITH_VOTES"
    case countOutOfRange = "COUNT_OUT_OF_RANGE"
    case statusMismatch = "STATUS_MISMATCH"

    public var id: String { rawValue }

    public static func < (lhs: Rule, rhs: Rule) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// The condition, in the notation of the methodology page (S = sum of the candidates' votes).
    public var condition: String {
        switch self {
        case .sumNotEqualSah: "S ≠ suara_sah"
        case .sahPlusTidakSahNotEqualTotal: "suara_sah + suara_tidak_sah ≠ suara_total"
        case .totalNotEqualVoters: "suara_total ≠ pengguna_total_j"
        case .votersSumMismatch: "pengguna_total_x ≠ pengguna_dpt_x + pengguna_dptb_x + pengguna_non_dpt_x, for x in j, l, p"
        case .genderSumMismatch: "_j ≠ _l + _p for pemilih_dpt, pengguna_dpt, pengguna_dptb, pengguna_non_dpt or pengguna_total"
        case .votesOverDPT: "pemilih_dpt_j > 0 and 100 × S > 102 × pemilih_dpt_j"
        case .dptZeroWithVotes: "pemilih_dpt_j = 0 and S > 0"
        case .countOutOfRange: "a chart or administrasi value < 0 or > 999"
        case .statusMismatch: "status_suara ≠ (chart has a candidate value), or status_adm ≠ (administrasi present)"
        }
    }

    /// Short title in Bahasa Indonesia.
    public var title: String {
        switch self {
        case .sumNotEqualSah: "Jumlah suara paslon tidak sama dengan suara sah"
        case .sahPlusTidakSahNotEqualTotal: "Suara sah + tidak sah tidak sama dengan total suara"
        case .totalNotEqualVoters: "Total suara tidak sama dengan jumlah pengguna hak pilih"
        case .votersSumMismatch: "Jumlah pengguna hak pilih tidak sama dengan DPT + DPTb + DPK"
        case .genderSumMismatch: "Jumlah (L+P) tidak sama dengan laki-laki + perempuan"
        case .votesOverDPT: "Suara paslon melebihi DPT + 2%"
        case .dptZeroWithVotes: "DPT nol tetapi ada suara"
        case .countOutOfRange: "Angka di luar 0–999"
        case .statusMismatch: "Status tidak sesuai isi data"
        }
    }

    /// Short title in English.
    public var englishTitle: String {
        switch self {
        case .sumNotEqualSah: "Candidate votes do not add up to valid votes"
        case .sahPlusTidakSahNotEqualTotal: "Valid plus invalid votes differ from total votes"
        case .totalNotEqualVoters: "Total votes differ from the number of voters"
        case .votersSumMismatch: "Voters differ from DPT + DPTb + DPK voters"
        case .genderSumMismatch: "Totals differ from male + female"
        case .votesOverDPT: "Candidate votes exceed the voter list + 2%"
        case .dptZeroWithVotes: "Empty voter list but votes cast"
        case .countOutOfRange: "Value outside 0–999"
        case .statusMismatch: "Status flags contradict the data"
        }
    }

    /// Why the rule exists, in Bahasa Indonesia.
    public var reason: String {
        switch self {
        case .sumNotEqualSah:
            "Di formulir C1, suara sah (A) adalah jumlah suara ketiga paslon. Selisih biasanya berarti salah baca angka (OCR) atau salah tulis."
        case .sahPlusTidakSahNotEqualTotal:
            "Baris C formulir adalah A + B. Jika tidak cocok, salah satu dari tiga angka itu keliru."
        case .totalNotEqualVoters:
            "Setiap pemilih yang datang memberikan satu surat suara; total suara seharusnya sama dengan jumlah pengguna hak pilih."
        case .votersSumMismatch:
            "Jumlah pengguna hak pilih adalah pemilih DPT + DPTb + DPK, untuk laki-laki, perempuan dan jumlahnya."
        case .genderSumMismatch:
            "Setiap kolom JUMLAH (L+P) seharusnya jumlah kolom laki-laki dan perempuan."
        case .votesOverDPT:
            "Satu TPS tidak dapat menerima suara lebih dari pemilih terdaftarnya ditambah cadangan 2% surat suara (ambang yang juga dipakai KawalPemilu)."
        case .dptZeroWithVotes:
            "TPS tanpa pemilih terdaftar tidak semestinya punya suara; biasanya data administrasi belum atau salah terbaca."
        case .countOutOfRange:
            "Formulir C1 hanya punya tiga kotak angka; nilai negatif atau di atas 999 pasti salah baca."
        case .statusMismatch:
            "Sirekap menandai status_suara dan status_adm; keduanya seharusnya sesuai dengan ada atau tidaknya data."
        }
    }

    /// Why the rule exists, in English.
    public var englishReason: String {
        switch self {
        case .sumNotEqualSah:
            "On the C1 form, valid votes (A) are the sum of the three pairs' votes. A difference usually means a misread (OCR) or miswritten digit."
        case .sahPlusTidakSahNotEqualTotal:
            "Line C of the form is A + B. If it does not match, one of the three numbers is wrong."
        case .totalNotEqualVoters:
            "Each voter who came casts one ballot; total votes should equal the number of voters."
        case .votersSumMismatch:
            "Voters are DPT + DPTb + DPK voters, for men, women and in total."
        case .genderSumMismatch:
            "Every total column (L+P) should be the sum of the male and female columns."
        case .votesOverDPT:
            "A TPS cannot receive more votes than its registered voters plus the 2% ballot reserve (KawalPemilu's threshold too)."
        case .dptZeroWithVotes:
            "A TPS with no registered voters should not have votes; usually the form data is missing or misread."
        case .countOutOfRange:
            "The C1 form has three digit boxes; a negative value or one above 999 is certainly misread."
        case .statusMismatch:
            "Sirekap sets status_suara and status_adm; both should agree with whether the data is there."
        }
    }
}

/// One rule firing on one TPS, with the numbers that made it fire.
public struct Anomaly: Hashable, Sendable {
    public let rule: Rule
    /// The numbers involved, e.g. `S = 190, suara_sah = 180`.
    public let detail: String

    public init(rule: Rule, detail: String) {
        self.rule = rule
        self.detail = detail
    }
}
