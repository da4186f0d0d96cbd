import Foundation
import CLibXML2
import Crypto
import SwiftASN1

/// An nmap scan saved with `-oX`, read with libxml2: hosts, their addresses and names, ports with
/// state and service, and the `ssl-cert` script's structured tables (not its free-text output).
public struct NmapScan: Sendable, Equatable {
    public var scanner: String
    public var version: String
    public var arguments: String
    /// `startstr` as nmap wrote it (local time of the scanning machine).
    public var started: String
    public var hosts: [Host]

    public struct Host: Sendable, Equatable {
        public var state: String
        public var addresses: [Address]
        public var hostnames: [Hostname]
        public var ports: [Port]
    }

    public struct Address: Sendable, Equatable {
        public var address: String
        /// `ipv4`, `ipv6` or `mac`.
        public var type: String
    }

    public struct Hostname: Sendable, Equatable {
        public var name: String
        /// `user` (asked for) or `PTR` (reverse DNS).
        public var type: String
    }

    public struct Port: Sendable, Equatable {
        public var protocolName: String
        public var number: Int
        public var state: String
        public var service: String?
        public var product: String?
        public var version: String?
        public var extraInfo: String?
        public var tunnel: String?
        public var certificate: ScriptCertificate?

        public var isOpen: Bool { state == "open" }
    }

    /// What the `ssl-cert` script reports of the certificate a port served.
    public struct ScriptCertificate: Sendable, Equatable {
        /// Subject and issuer fields in the order nmap gave them (`commonName`, `organizationName`, ...).
        public var subject: [(key: String, value: String)]
        public var issuer: [(key: String, value: String)]
        public var notBefore: String?
        public var notAfter: String?
        public var subjectAlternativeNames: [String]
        public var publicKey: String?
        public var signatureAlgorithm: String?
        /// nmap gives only MD5 and SHA-1; SHA-256 of the DER is computed from the `pem` element.
        public var sha256: String?

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.subject.elementsEqual(rhs.subject, by: ==) && lhs.issuer.elementsEqual(rhs.issuer, by: ==)
                && lhs.notBefore == rhs.notBefore && lhs.notAfter == rhs.notAfter
                && lhs.subjectAlternativeNames == rhs.subjectAlternativeNames && lhs.publicKey == rhs.publicKey
                && lhs.signatureAlgorithm == rhs.signatureAlgorithm && lhs.sha256 == rhs.sha256
        }

        /// `commonName=a, organizationName=b` style, for one table cell.
        public static func distinguishedName(_ fields: [(key: String, value: String)]) -> String {
            fields.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        }
    }

    public init(scanner: String, version: String, arguments: String, started: String, hosts: [Host]) {
        self.scanner = scanner
        self.version = version
        self.arguments = arguments
        self.started = started
        self.hosts = hosts
    }

    /// Parses nmap's XML. Never loads the DTD or anything from the network, and never expands
    /// entities (XXE): scan files are evidence from outside, treated as hostile.
    public static func parse(_ bytes: [UInt8]) throws(EvidenceParseError) -> NmapScan {
        LibXML.initialize()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "nmap.xml", nil, options)
            }
        }
        guard let document else {
            throw EvidenceParseError(LibXML.lastErrorMessage() ?? "not well-formed XML")
        }
        defer { xmlFreeDoc(document) }
        guard let root = xmlDocGetRootElement(document), LibXML.name(root) == "nmaprun" else {
            throw EvidenceParseError("the root element is not <nmaprun>")
        }
        var scan = NmapScan(scanner: LibXML.attribute(root, "scanner") ?? "", version: LibXML.attribute(root, "version") ?? "",
                            arguments: LibXML.attribute(root, "args") ?? "", started: LibXML.attribute(root, "startstr") ?? "",
                            hosts: [])
        for hostNode in LibXML.children(root, named: "host") {
            scan.hosts.append(try host(hostNode))
        }
        return scan
    }

    static func host(_ node: xmlNodePtr) throws(EvidenceParseError) -> Host {
        var host = Host(state: "", addresses: [], hostnames: [], ports: [])
        host.state = LibXML.children(node, named: "status").first.flatMap { LibXML.attribute($0, "state") } ?? "unknown"
        for address in LibXML.children(node, named: "address") {
            guard let addr = LibXML.attribute(address, "addr") else { throw EvidenceParseError("<address> without addr") }
            host.addresses.append(Address(address: addr, type: LibXML.attribute(address, "addrtype") ?? "ipv4"))
        }
        for names in LibXML.children(node, named: "hostnames") {
            for name in LibXML.children(names, named: "hostname") {
                host.hostnames.append(Hostname(name: LibXML.attribute(name, "name") ?? "", type: LibXML.attribute(name, "type") ?? ""))
            }
        }
        for ports in LibXML.children(node, named: "ports") {
            for portNode in LibXML.children(ports, named: "port") {
                guard let id = LibXML.attribute(portNode, "portid"), let number = Int(id) else {
                    throw EvidenceParseError("<port> without a numeric portid")
                }
                var port = Port(protocolName: LibXML.attribute(portNode, "protocol") ?? "tcp", number: number, state: "")
                port.state = LibXML.children(portNode, named: "state").first.flatMap { LibXML.attribute($0, "state") } ?? ""
                if let service = LibXML.children(portNode, named: "service").first {
                    port.service = LibXML.attribute(service, "name")
                    port.product = LibXML.attribute(service, "product")
                    port.version = LibXML.attribute(service, "version")
                    port.extraInfo = LibXML.attribute(service, "extrainfo")
                    port.tunnel = LibXML.attribute(service, "tunnel")
                }
                if let script = LibXML.children(portNode, named: "script").first(where: { LibXML.attribute($0, "id") == "ssl-cert" }) {
                    port.certificate = try certificate(script)
                }
                host.ports.append(port)
            }
        }
        return host
    }

    /// Reads the structured output of `ssl-cert`: `<table key="subject">`, `<table key="validity">`,
    /// `<table key="extensions">` (each a table of `name` and `value`), `<elem key="pem">`.
    static func certificate(_ script: xmlNodePtr) throws(EvidenceParseError) -> ScriptCertificate {
        func pairs(_ table: xmlNodePtr?) -> [(key: String, value: String)] {
            guard let table else { return [] }
            return LibXML.children(table, named: "elem").map { (LibXML.attribute($0, "key") ?? "", LibXML.content($0)) }
        }
        func keyed(_ name: String, _ key: String, in node: xmlNodePtr) -> xmlNodePtr? {
            LibXML.children(node, named: name).first { LibXML.attribute($0, "key") == key }
        }
        let validity = pairs(keyed("table", "validity", in: script))
        let publicKey = pairs(keyed("table", "pubkey", in: script))
        var sans: [String] = []
        if let extensions = keyed("table", "extensions", in: script) {
            for ext in LibXML.children(extensions, named: "table") {
                let fields = pairs(ext)
                guard fields.first(where: { $0.key == "name" })?.value == "X509v3 Subject Alternative Name",
                      let value = fields.first(where: { $0.key == "value" })?.value else { continue }
                sans = value.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            }
        }
        var sha256: String?
        if let pem = keyed("elem", "pem", in: script).map(LibXML.content) {
            do {
                let document = try PEMDocument(pemString: pem)
                sha256 = Hex.string(SHA256.hash(data: document.derBytes))
            } catch {
                throw EvidenceParseError("the ssl-cert script's pem element is not a PEM certificate")
            }
        }
        let keyType = publicKey.first { $0.key == "type" }?.value
        let keyBits = publicKey.first { $0.key == "bits" }?.value
        return ScriptCertificate(
            subject: pairs(keyed("table", "subject", in: script)),
            issuer: pairs(keyed("table", "issuer", in: script)),
            notBefore: validity.first { $0.key == "notBefore" }?.value,
            notAfter: validity.first { $0.key == "notAfter" }?.value,
            subjectAlternativeNames: sans,
            publicKey: keyType.map { type in keyBits.map { "\(type) \($0) bits" } ?? type },
            signatureAlgorithm: keyed("elem", "sig_algo", in: script).map(LibXML.content),
            sha256: sha256)
    }
}

/// The few libxml2 calls the parsers need, with its memory rules in one place.
enum LibXML {
    /// libxml2 must initialise once before it is used from several threads.
    static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    static func initialize() { _ = initialized }

    static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func children(_ node: xmlNodePtr, named name: String) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, LibXML.name(current) == name { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { cxml_free(value) }
        return String(cString: value)
    }

    static func content(_ node: xmlNodePtr) -> String {
        guard let value = xmlNodeGetContent(node) else { return "" }
        defer { cxml_free(value) }
        return String(cString: value)
    }

    static func lastErrorMessage() -> String? {
        guard let error = xmlGetLastError(), let message = error.pointee.message else { return nil }
        let text = String(cString: message).trimmingSpaces()
        return "line \(error.pointee.line): \(text)"
    }
}
