@testable import Audit
import Testing

/// Each evidence parser against small hand-written captures in the tools' real layouts.
@Suite struct NmapXMLTests {

    static func scan(ports: String, preamble: String = "") -> [UInt8] {
        Array("""
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE nmaprun>
        \(preamble)<nmaprun scanner="nmap" args="nmap -sV 198.51.100.7" start="1700000000" startstr="Tue Nov 14 22:13:20 2023" version="7.94" xmloutputversion="1.05">
        <host><status state="up" reason="syn-ack"/>
        <address addr="198.51.100.7" addrtype="ipv4"/>
        <address addr="2001:db8::7" addrtype="ipv6"/>
        <hostnames><hostname name="portal.example" type="user"/><hostname name="7.100.51.198.in-addr.example" type="PTR"/></hostnames>
        <ports><extraports state="filtered" count="998"/>\(ports)</ports>
        </host>
        <runstats><finished time="1700000010" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
        </nmaprun>
        """.utf8)
    }

    @Test func readsHostsAddressesNamesAndPorts() throws {
        let xml = NmapXMLTests.scan(ports: """
        <port protocol="tcp" portid="22"><state state="closed" reason="reset"/></port>
        <port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="http" product="nginx" version="1.25.3" extrainfo="Ubuntu" tunnel="ssl" method="probed" conf="10"/></port>
        """)
        let result = try NmapScan.parse(xml)
        #expect(result.version == "7.94")
        #expect(result.arguments == "nmap -sV 198.51.100.7")
        #expect(result.hosts.count == 1)
        let host = result.hosts[0]
        #expect(host.state == "up")
        #expect(host.addresses.map(\.address) == ["198.51.100.7", "2001:db8::7"])
        #expect(host.addresses.map(\.type) == ["ipv4", "ipv6"])
        #expect(host.hostnames.map(\.name) == ["portal.example", "7.100.51.198.in-addr.example"])
        #expect(host.hostnames.map(\.type) == ["user", "PTR"])
        #expect(host.ports.map(\.number) == [22, 443])
        #expect(host.ports.map(\.isOpen) == [false, true])
        let https = host.ports[1]
        #expect(https.service == "http" && https.product == "nginx" && https.version == "1.25.3")
        #expect(https.extraInfo == "Ubuntu" && https.tunnel == "ssl")
        #expect(https.certificate == nil)
    }

    @Test func readsTheSSLCertScriptTablesAndHashesThePEM() throws {
        // A real certificate (the bundled example's), so the SHA-256 can be checked against openssl's.
        let pem = try String(contentsOfFile: Bundled.evidence + "/examples/sirekap.example.pem", encoding: .utf8)
        let xml = NmapXMLTests.scan(ports: """
        <port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/><service name="https" product="Tengine"/>
        <script id="ssl-cert" output="free text that must not be used">
        <table key="subject"><elem key="commonName">portal.example</elem><elem key="organizationName">Example &amp; Co</elem></table>
        <table key="issuer"><elem key="commonName">Example CA R1</elem><elem key="countryName">ZZ</elem></table>
        <table key="pubkey"><elem key="type">rsa</elem><elem key="bits">2048</elem></table>
        <table key="extensions">
        <table><elem key="name">X509v3 Key Usage</elem><elem key="value">Digital Signature</elem></table>
        <table><elem key="name">X509v3 Subject Alternative Name</elem><elem key="value">DNS:portal.example, DNS:*.portal.example</elem></table>
        </table>
        <elem key="sig_algo">sha256WithRSAEncryption</elem>
        <table key="validity"><elem key="notBefore">2024-01-02T00:00:00</elem><elem key="notAfter">2024-04-01T23:59:59</elem></table>
        <elem key="sha1">0000</elem>
        <elem key="pem">\(pem)</elem>
        </script></port>
        """)
        let certificate = try #require(try NmapScan.parse(xml).hosts[0].ports[0].certificate)
        #expect(certificate.subject.map(\.key) == ["commonName", "organizationName"])
        #expect(certificate.subject.map(\.value) == ["portal.example", "Example & Co"])
        #expect(NmapScan.ScriptCertificate.distinguishedName(certificate.issuer) == "commonName=Example CA R1, countryName=ZZ")
        #expect(certificate.notBefore == "2024-01-02T00:00:00")
        #expect(certificate.notAfter == "2024-04-01T23:59:59")
        #expect(certificate.subjectAlternativeNames == ["DNS:portal.example", "DNS:*.portal.example"])
        #expect(certificate.publicKey == "rsa 2048 bits")
        #expect(certificate.signatureAlgorithm == "sha256WithRSAEncryption")
        // openssl x509 -noout -fingerprint -sha256 of the same PEM.
        #expect(certificate.sha256 == "fab9439f293030a0c7f4c109d95d6b02183073a4bd872ac5c0585ff84065eb09")
    }

    @Test func refusesBrokenXMLWithTheLine() {
        var xml = NmapXMLTests.scan(ports: "<port protocol=\"tcp\" portid=\"80\"><state state=\"open\"/></port>")
        xml.removeLast(12)
        #expect { try NmapScan.parse(xml) } throws: { "\($0)".contains("line ") }
        #expect(throws: EvidenceParseError.self) { try NmapScan.parse(Array("<html><body/></html>".utf8)) }
    }

    /// An external entity must never be fetched or expanded: scan files come from outside.
    @Test func doesNotExpandExternalEntities() throws {
        let xml = NmapXMLTests.scan(
            ports: "<port protocol=\"tcp\" portid=\"80\"><state state=\"open\"/><service name=\"&xxe;\"/></port>",
            preamble: "").map { $0 }
        var text = String(decoding: xml, as: UTF8.self)
        text = text.replacingOccurrences(of: "<!DOCTYPE nmaprun>", with: "<!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>")
        // libxml2 refuses the reference outright; were it ever to parse, the file's text must not appear.
        let scan = try? NmapScan.parse(Array(text.utf8))
        let service = scan?.hosts.first?.ports.first?.service ?? ""
        #expect(!service.contains("root:"))
    }
}

@Suite struct DigOutputTests {
    @Test func readsAFullAnswer() throws {
        let text = """
        ; <<>> DiG 9.18.24 <<>> portal.example A @198.51.100.53
        ;; global options: +cmd
        ;; Got answer:
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 5012
        ;; flags: qr rd ra; QUERY: 1, ANSWER: 3, AUTHORITY: 0, ADDITIONAL: 1

        ;; OPT PSEUDOSECTION:
        ; EDNS: version: 0, flags:; udp: 1232
        ;; QUESTION SECTION:
        ;portal.example.			IN	A

        ;; ANSWER SECTION:
        portal.example.		600	IN	CNAME	portal.cdn.example.
        portal.cdn.example.	60	IN	A	192.0.2.1
        portal.cdn.example.	60	IN	A	192.0.2.2

        ;; AUTHORITY SECTION:
        example.		3600	IN	NS	ns1.example.

        ;; Query time: 31 msec
        ;; SERVER: 198.51.100.53#53(198.51.100.53) (UDP)
        ;; WHEN: Fri Feb 16 11:31:07 WIB 2024
        ;; MSG SIZE  rcvd: 120
        """
        let output = try DigOutput.parse(text)
        #expect(output.queries.count == 1)
        let query = output.queries[0]
        #expect(query.digVersion == "DiG 9.18.24")
        #expect(query.arguments == "portal.example A @198.51.100.53")
        #expect(query.status == "NOERROR")
        #expect(query.flags == "qr rd ra")
        #expect(query.question == ["portal.example.\t\t\tIN\tA"])
        #expect(query.answer.map(\.type) == ["CNAME", "A", "A"])
        #expect(query.answer.map(\.data) == ["portal.cdn.example.", "192.0.2.1", "192.0.2.2"])
        #expect(query.answer.map(\.ttl) == [600, 60, 60])
        #expect(query.authority == [DigOutput.Record(name: "example.", ttl: 3600, recordClass: "IN", type: "NS", data: "ns1.example.")])
        #expect(query.server == "198.51.100.53")
        #expect(query.when == "Fri Feb 16 11:31:07 WIB 2024")
        #expect(query.queryTime == "31 msec")
    }

    @Test func readsShortAnswersAndSeveralQueries() throws {
        let answerOnly = try DigOutput.parse("portal.example. 300 IN A 192.0.2.9\nportal.example. IN TXT \"v=spf1 -all\" \"two words\"\n")
        #expect(answerOnly.queries.count == 1)
        #expect(answerOnly.queries[0].answer[1].ttl == nil)
        #expect(answerOnly.queries[0].answer[1].data == "\"v=spf1 -all\" \"two words\"")

        // `dig a.example b.example @192.0.2.53` prints the banner once and one `;; Got answer:` per query.
        let two = try DigOutput.parse("""
        ; <<>> DiG 9.18.24 <<>> a.example b.example @192.0.2.53
        ;; global options: +cmd
        ;; Got answer:
        ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
        ;; ANSWER SECTION:
        a.example. 5 IN A 192.0.2.1

        ;; SERVER: 192.0.2.53#53(192.0.2.53) (UDP)
        ;; WHEN: Fri Feb 16 11:31:07 WIB 2024

        ;; Got answer:
        ;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 2
        ;; QUESTION SECTION:
        ;b.example.  IN A

        ;; SERVER: 192.0.2.53#53(192.0.2.53) (UDP)
        ;; WHEN: Fri Feb 16 11:31:08 WIB 2024
        """)
        #expect(two.queries.map(\.status) == ["NOERROR", "NXDOMAIN"])
        #expect(two.queries.map { $0.answer.map(\.data) } == [["192.0.2.1"], []])
        #expect(two.queries.map(\.when) == ["Fri Feb 16 11:31:07 WIB 2024", "Fri Feb 16 11:31:08 WIB 2024"])
        #expect(two.queries.allSatisfy { $0.digVersion == "DiG 9.18.24" })
    }

    @Test func readsMultilineRecordsAndTTLUnits() throws {
        let output = try DigOutput.parse("""
        example.		1h IN SOA ns1.example. hostmaster.example. (
        				2024021601 ; serial
        				3600       ; refresh (1 hour)
        				900 600 86400 )
        example. 1d2h IN MX 10 mail.example.
        example. 300 IN TXT "v=spf1 (not a multiline) -all"
        """)
        let records = output.queries[0].answer
        #expect(records.map(\.type) == ["SOA", "MX", "TXT"])
        #expect(records[0].data == "ns1.example. hostmaster.example. 2024021601 3600 900 600 86400")
        #expect(records.map(\.ttl) == [3600, 93600, 300])
        #expect(records[2].data == "\"v=spf1 (not a multiline) -all\"")
        #expect(ParsedEvidence.dig(output).hostNames.contains("mail.example"))
    }

    @Test func refusesLinesThatAreNotRecords() {
        #expect { try DigOutput.parse("portal.example. 300 IN A 192.0.2.9\nHTTP/2 200\n") } throws: { "\($0)".contains("line 2") }
        #expect(throws: EvidenceParseError.self) { try DigOutput.parse("\n\n") }
    }
}

@Suite struct HTTPHeaderTests {
    @Test func readsRedirectChainsAndFlagsCDNHeaders() throws {
        let capture = try HTTPHeaderCapture.parse(
            "HTTP/1.1 301 Moved Permanently\r\nServer: Tengine\r\nLocation: https://portal.example/\r\n\r\n"
                + "HTTP/2 200 \r\ncontent-type: text/html\r\nx-long: first\r\n second\r\neagleid: 0a1b2c\r\ncf-ray: 7d1-SIN\r\n\r\n")
        #expect(capture.responses.map(\.status) == [301, 200])
        #expect(capture.responses.map(\.httpVersion) == ["HTTP/1.1", "HTTP/2"])
        #expect(capture.responses[0].headers[1] == HTTPHeaderCapture.Header(name: "Location", value: "https://portal.example/"))
        #expect(capture.responses[1].headers.first { $0.name == "x-long" }?.value == "first second")
        #expect(capture.responses[0].cdnHints.map(\.provider) == ["Alibaba Cloud CDN"])
        #expect(capture.responses[1].cdnHints.map(\.provider) == ["Alibaba Cloud CDN", "Cloudflare"])
        #expect(capture.responses[1].cdnHints.map(\.header) == ["eagleid", "cf-ray"])
    }

    @Test func readsLatin1HeaderBytes() throws {
        var bytes = Array("HTTP/1.1 200 OK\r\nX-Name: caf".utf8)
        bytes += [0xE9]
        bytes += Array("\r\n\r\n".utf8)
        guard case .httpHeaders(let capture) = try ParsedEvidence.parse(bytes, as: .httpHeaders) else {
            Issue.record("not parsed as headers")
            return
        }
        #expect(capture.responses[0].headers[0].value == "caf\u{E9}")
    }

    @Test func refusesTextThatIsNotAResponse() {
        #expect { try HTTPHeaderCapture.parse("GET / HTTP/1.1\r\nHost: a\r\n") } throws: { "\($0)".contains("line 1:") }
        #expect { try HTTPHeaderCapture.parse("HTTP/2 200\r\nno colon here\r\n") } throws: { "\($0)".contains("line 2") }
    }
}

@Suite struct PEMCertificateTests {
    @Test func readsTheFieldsAndFingerprint() throws {
        let pem = try String(contentsOfFile: Bundled.evidence + "/examples/sirekap.example.pem", encoding: .utf8)
        let chain = try PEMCertificates.parse(pem + "\n" + pem)
        #expect(chain.certificates.count == 2)
        let certificate = chain.certificates[0]
        // The values openssl x509 -noout -subject -dates -serial -fingerprint -sha256 prints for this file.
        #expect(certificate.subject.contains("CN=sirekap.example") && certificate.subject.contains("O=Contoh Penyelenggara"))
        #expect(certificate.issuer == certificate.subject)
        #expect(certificate.notBefore == "2026-11-25T19:09:37Z")
        #expect(certificate.notAfter == "2027-02-23T19:09:37Z")
        #expect(certificate.subjectAlternativeNames == ["DNS:sirekap.example", "DNS:www.sirekap.example", "IP:192.0.2.10"])
        #expect(certificate.sha256 == "fab9439f293030a0c7f4c109d95d6b02183073a4bd872ac5c0585ff84065eb09")
        #expect(certificate.serialNumber.lowercased().filter(\.isHexDigit) == "66c7451c5e15b4f815dbc3c962d55242d55bbc23")
        #expect(certificate.publicKey == "P256")
        #expect(certificate.signatureAlgorithm == "ecdsaWithSHA256")
    }

    @Test func refusesOtherPEMBlocksAndGarbage() {
        #expect(throws: EvidenceParseError.self) { try PEMCertificates.parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: EvidenceParseError.self) { try PEMCertificates.parse("hello") }
        #expect(throws: EvidenceParseError.self) {
            try PEMCertificates.parse("-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n")
        }
    }
}

@Suite struct TestSSLTests {
    @Test func readsTheFlatLayout() throws {
        let report = try TestSSLReport.parse(Array("""
        [{"id":"TLS1_3","ip":"portal.example/192.0.2.1","port":"443","severity":"OK","finding":"offered with final"},
         {"id":"cert_notAfter","ip":"portal.example/192.0.2.1","port":"443","severity":"OK","cve":"","finding":"2024-04-01 23:59"}]
        """.utf8))
        #expect(report.items.map(\.id) == ["TLS1_3", "cert_notAfter"])
        #expect(report.items.map(\.severity) == ["OK", "OK"])
        #expect(report.items[0].target == "portal.example/192.0.2.1" && report.items[0].port == "443")
        #expect(report.items[0].section == nil)
    }

    @Test func readsThePrettyLayout() throws {
        let report = try TestSSLReport.parse(Array("""
        {"Invocation":"testssl.sh --jsonfile-pretty out.json portal.example","at":"probe:/usr/bin/openssl","version":"3.2.0 ",
         "openssl":"OpenSSL 3.0.13","startTime":"1708057867",
         "scanResult":[{"targetHost":"portal.example","ip":"192.0.2.1","port":"443","rDNS":"","service":"HTTP",
           "protocols":[{"id":"TLS1_2","severity":"OK","finding":"offered"}],
           "serverDefaults":[{"id":"cert_commonName","severity":"OK","finding":"portal.example"}],
           "rating":[{"id":"overall_grade","severity":"OK","finding":"A+"}]}],
         "scanTime":38}
        """.utf8))
        #expect(report.version == "3.2.0 ")
        #expect(report.invocation == "testssl.sh --jsonfile-pretty out.json portal.example")
        #expect(report.startTime == "1708057867")
        #expect(report.items.map(\.section) == ["protocols", "rating", "serverDefaults"])
        #expect(report.items.map(\.finding) == ["offered", "A+", "portal.example"])
        #expect(report.items.allSatisfy { $0.target == "portal.example/192.0.2.1" && $0.port == "443" })
    }

    @Test func refusesOtherJSON() {
        #expect(throws: EvidenceParseError.self) { try TestSSLReport.parse(Array("{\"a\":1}".utf8)) }
        #expect { try TestSSLReport.parse(Array("[{\"id\":\"x\"}]".utf8)) } throws: { "\($0)".contains("[0]") }
        #expect(throws: EvidenceParseError.self) { try TestSSLReport.parse(Array("[".utf8)) }
    }
}

@Suite struct IPToASNTests {
    static let table = """
    range_start\trange_end\tAS_number\tcountry_code\tAS_description
    1.0.0.0\t1.0.0.255\t13335\tUS\tCLOUDFLARENET
    1.0.1.0\t1.0.3.255\t0\tNone\tNot routed
    192.0.2.0\t192.0.2.127\t64500\tZZ\tEXAMPLE-A
    192.0.2.128\t192.0.2.255\t64501\tZZ\tEXAMPLE B, with spaces
    2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64502\tZZ\tEXAMPLE-V6
    """

    @Test func findsTheRangeHoldingAnAddress() throws {
        let table = try IPToASNTable.parse(IPToASNTests.table)
        #expect(table.entries.count == 5)
        #expect(table.lookup(IPAddress("192.0.2.127")!)?.asn == 64500)
        #expect(table.lookup(IPAddress("192.0.2.128")!)?.holder == "EXAMPLE B, with spaces")
        #expect(table.lookup(IPAddress("1.0.0.0")!)?.country == "US")
        #expect(table.lookup(IPAddress("1.0.2.9")!)?.isRouted == false)
        #expect(table.lookup(IPAddress("2001:db8::1")!)?.asn == 64502)
        #expect(table.lookup(IPAddress("9.9.9.9")!) == nil)
        #expect(table.lookup(IPAddress("0.0.0.1")!) == nil)
        #expect(table.lookup(IPAddress("::1")!) == nil)
    }

    @Test func refusesBadRowsWithTheLine() {
        #expect { try IPToASNTable.parse("1.0.0.0\t1.0.0.255\t13335\tUS\tX\n1.0.1.0\t1.0.0.9\t1\tUS\tY\n") } throws: {
            "\($0)" == "line 2: the range ends before it starts"
        }
        #expect { try IPToASNTable.parse("1.0.0.0\t1.0.0.255\t13335\tUS\tX\nnot\ta\trow\n") } throws: { "\($0)".hasPrefix("line 2:") }
    }
}
