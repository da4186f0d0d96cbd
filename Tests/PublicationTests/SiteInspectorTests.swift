import Testing
import TestSupport

/// The checks the site tests rely on must themselves catch what they claim to.
@Suite struct SiteInspectorTests {
    let good = """
        <!doctype html>
        <html lang="id">
        <head><meta charset="utf-8"><title>T</title><link rel="stylesheet" href="a.css"></head>
        <body><h1 id="x">H</h1><p id="y"><a href="../b/">b</a> <a class="k" href="https://kpu.go.id/">k</a></p></body></html>
        """

    @Test func acceptsAGoodPage() {
        #expect(SiteInspector.pageProblems(good) == [])
        #expect(SiteInspector.attributes("href", of: "a", in: good) == ["../b/", "https://kpu.go.id/"])
        #expect(SiteInspector.attributes("href", of: "link", in: good) == ["a.css"])
    }

    @Test(arguments: [
        ("<!doctype html>", ""),
        ("<html lang=\"id\">", "<html>"),
        ("<meta charset=\"utf-8\">", ""),
        ("<h1 id=\"x\">H</h1>", "<h1>H</h1><h1>I</h1>"),
        ("id=\"y\"", "id=\"x\""),
        ("href=\"a.css\"", "href=\"https://cdn.example/a.css\""),
        ("<p id=", "<img src=\"//cdn.example/i.png\"><p id="),
        ("</body>", "<script>x()</script></body>"),
    ])
    func catchesEachProblem(_ change: (String, String)) {
        let bad = good.replacingOccurrences(of: change.0, with: change.1)
        #expect(bad != good)
        #expect(!SiteInspector.pageProblems(bad).isEmpty, "\(change)")
    }

    @Test func readsQuotedCSV() {
        let rows = SiteInspector.csvRows("a,b\r\n\"x, \"\"y\"\"\",\r\n")
        #expect(rows == [["a", "b"], ["x, \"y\"", ""]])
    }
}
