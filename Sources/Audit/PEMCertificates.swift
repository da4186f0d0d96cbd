import Crypto
import Foundation
import SwiftASN1
import X509

/// A PEM file of one or more certificates (a server's chain), read with swift-certificates.
public struct PEMCertificates: Sendable, Equatable {
    public var certificates: [Summary]

    /// The fields a reader checks a certificate by.
    public struct Summary: Sendable, Equatable {
        public var subject: String
        public var issuer: String
        public var serialNumber: String
        /// RFC 3339 UTC.
        public var notBefore: String
        public var notAfter: String
        /// `DNS:name` and `IP:address` entries, in the certificate's order.
        public var subjectAlternativeNames: [String]
        /// SHA-256 of the DER bytes: the fingerprint crt.sh and browsers show.
        public var sha256: String
        public var publicKey: String
        public var signatureAlgorithm: String
    }

    public static func parse(_ text: String) throws(EvidenceParseError) -> PEMCertificates {
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text)
        } catch {
            throw EvidenceParseError("not a PEM file (\(error))")
        }
        var certificates: [Summary] = []
        for (index, document) in documents.enumerated() {
            guard document.discriminator == "CERTIFICATE" else {
                throw EvidenceParseError("PEM block \(index + 1) is \(document.discriminator), not CERTIFICATE")
            }
            let certificate: Certificate
            do {
                certificate = try Certificate(derEncoded: document.derBytes)
            } catch {
                throw EvidenceParseError("PEM block \(index + 1) is not a valid X.509 certificate (\(error))")
            }
            var names: [String] = []
            if let sans = try? certificate.extensions.subjectAlternativeNames {
                for name in sans {
                    switch name {
                    case .dnsName(let dns): names.append("DNS:" + dns)
                    case .ipAddress(let octets): names.append("IP:" + IPAddress.text(octets.bytes))
                    case .rfc822Name(let mail): names.append("email:" + mail)
                    case .uniformResourceIdentifier(let uri): names.append("URI:" + uri)
                    default: names.append(String(describing: name))
                    }
                }
            }
            certificates.append(Summary(
                subject: certificate.subject.description,
                issuer: certificate.issuer.description,
                serialNumber: certificate.serialNumber.description,
                notBefore: RFC3339.utc(certificate.notValidBefore),
                notAfter: RFC3339.utc(certificate.notValidAfter),
                subjectAlternativeNames: names,
                sha256: Hex.string(SHA256.hash(data: document.derBytes)),
                publicKey: certificate.publicKey.description.replacingOccurrences(of: ".PublicKey", with: ""),
                signatureAlgorithm: certificate.signatureAlgorithm.description.replacingOccurrences(of: "SignatureAlgorithm.", with: "")))
        }
        guard !certificates.isEmpty else { throw EvidenceParseError("no certificate in the file") }
        return PEMCertificates(certificates: certificates)
    }
}

enum RFC3339 {
    static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
