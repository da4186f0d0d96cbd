@testable import Render
import Testing

/// The template renderer against the parts of the Mustache specification the templates use.
@Suite struct MustacheTests {
    func render(_ template: String, _ context: TemplateObject, partials: [String: String] = [:]) throws -> String {
        var templates = ["main": try MustacheTemplate(template)]
        for (name, text) in partials { templates[name] = try MustacheTemplate(text) }
        return String(decoding: MustacheRenderer(templates: templates).render("main", context), as: UTF8.self)
    }

    @Test func escapesVariablesUnlessTripleOrAmpersand() throws {
        let context: TemplateObject = ["x": "<a href=\"x\">Tom & 'Jerry'</a>"]
        #expect(try render("{{x}}", context) == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
        #expect(try render("{{{x}}}|{{& x}}", context) == "<a href=\"x\">Tom & 'Jerry'</a>|<a href=\"x\">Tom & 'Jerry'</a>")
        #expect(try render("{{n}} {{b}} {{missing}}.", ["n": 1234, "b": true]) == "1234 true .")
        #expect(try render("é{{x}}ü", ["x": "ñ"]) == "éñü")
    }

    @Test func sectionsFollowTruthiness() throws {
        let template = "{{#v}}yes{{/v}}{{^v}}no{{/v}}"
        #expect(try render(template, ["v": true]) == "yes")
        for falsy: TemplateValue in [false, "", [], .null, nil] {
            #expect(try render(template, ["v": falsy]) == "no", "\(falsy)")
        }
        #expect(try render(template, [:]) == "no")
        #expect(try render(template, ["v": "text"]) == "yes")
        #expect(try render(template, ["v": 0]) == "yes")
        #expect(try render(template, ["v": ["k": "x"]]) == "yes")
        #expect(try render("{{#v}}{{.}}{{/v}}", ["v": "text"]) == "text")
    }

    @Test func listsPushEachItemAndKnowFirstAndLast() throws {
        let context: TemplateObject = ["title": "T", "rows": [["name": "a"], ["name": "b"], ["name": "c"]]]
        #expect(try render("{{#rows}}{{#first()}}[{{/first()}}{{name}}{{title}}{{^last()}},{{/last()}}{{#last()}}]{{/last()}}{{/rows}}", context)
            == "[aT,bT,cT]")
        #expect(try render("{{#xs}}<{{.}}>{{/xs}}", ["xs": [1, 2]]) == "<1><2>")
    }

    @Test func dottedNamesAndObjects() throws {
        let context: TemplateObject = ["a": ["b": ["c": "deep"]], "id": "outer"]
        #expect(try render("{{a.b.c}} {{#a}}{{b.c}}{{id}}{{/a}} {{a.x.y}}", context) == "deep deepouter ")
        // A name set to null in an inner object hides the outer one, as a nil did before.
        #expect(try render("{{#a}}[{{id}}]{{/a}}", ["a": ["id": nil], "id": "outer"]) == "[]")
        // Lists and objects print nothing.
        #expect(try render("<{{a}}{{xs}}>", ["a": ["b": "c"], "xs": ["d"]]) == "<>")
    }

    @Test func partialsSeeTheCurrentContext() throws {
        let output = try render("{{#items}}{{> item}}{{/items}}", ["items": [["n": 1], ["n": 2]]], partials: ["item": "<{{n}}>"])
        #expect(output == "<1><2>")
    }

    @Test func standaloneTagsTakeTheirLine() throws {
        let template = "<ul>\n  {{#xs}}\n  <li>{{.}}</li>\n  {{/xs}}\n</ul>\n{{! a comment }}\nend"
        #expect(try render(template, ["xs": ["a", "b"]]) == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\nend")
        // A tag with other text on its line keeps the line.
        #expect(try render("a {{#t}}b{{/t}}\nc", ["t": true]) == "a b\nc")
    }

    @Test func errorsNameTheLineAndColumn() {
        #expect { try MustacheTemplate("line one\n  {{#open}}\nno close") } throws: { error in
            let error = error as! MustacheTemplate.ParseError
            return error.line == 2 && error.column == 3 && error.message.contains("never closed")
        }
        #expect { try MustacheTemplate("{{#a}}{{/b}}") } throws: { "\($0)".contains("closes a section that is not open") }
        #expect { try MustacheTemplate("x {{unclosed") } throws: { "\($0)".contains("unclosed tag") }
        #expect { try MustacheTemplate("{{=<% %>=}}") } throws: { "\($0)".contains("delimiter") }
    }
}

@Suite struct TemplateObjectTests {
    @Test func settingANameAgainReplacesItAndNilRemovesIt() {
        var object: TemplateObject = ["a": "1", "b": 2]
        object["a"] = "3"
        object["c"] = true
        object["b"] = nil
        guard case .text("3")? = object["a"], case .flag(true)? = object["c"] else {
            Issue.record("unexpected values \(object)")
            return
        }
        #expect(object["b"] == nil)
    }
}

@Suite struct FormatTests {
    @Test func countsGroupDigitsByThreesWithDots() {
        #expect(Format.count(0) == "0")
        #expect(Format.count(7) == "7")
        #expect(Format.count(999) == "999")
        #expect(Format.count(1_000) == "1.000")
        #expect(Format.count(204_807_222) == "204.807.222")
        #expect(Format.count(-1_234_567) == "−1.234.567")
        #expect(Format.count(Int.min) == "−9.223.372.036.854.775.808")
        #expect(Format.count(nil as Int?) == "–")
        #expect(Format.difference(1_200) == "+1.200")
        #expect(Format.difference(-3) == "−3")
        #expect(Format.difference(0) == "0")
    }
}

@Suite struct SitePathTests {
    @Test func rootClimbsOneFolderPerName() {
        #expect(SitePath.root(from: "") == "")
        #expect(SitePath.root(from: "ppwp/") == "../")
        #expect(SitePath.root(from: "ppwp/32/3201/320101/3201012001/3201012001001/") == "../../../../../../")
        #expect(SitePath.root(from: "anomali/SUM_NE_SAH/32/p2/") == "../../../../")
        #expect(SitePath.root(from: "a//b") == "../../")
    }
}
