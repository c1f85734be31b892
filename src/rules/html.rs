//! Escaping for HTML text and attribute values (M4): a name never changes the markup.
//!
//! [`escape`] is the one escaping of every value hearken inserts into HTML: in text, in
//! `title`/`textarea`, and in attribute values quoted with `"` or `'`. Where no escaping
//! makes a value safe (an unquoted attribute value, a tag's name, `<script>`, `<style>`,
//! a comment, an event handler, a URL), a host template must not put a placeholder:
//! [`Scanner`] follows the HTML5 tokenizer through a template's markup and tells the
//! context of each placeholder, so `set_template` can refuse the unsafe ones.

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by entities, safe in text and in quoted
/// attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Where a placeholder sits in a template's markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// Text between tags: an escaped value stays text.
    Text,
    /// The text of `<title>` or `<textarea>` (RCDATA): an escaped value stays text.
    Rcdata,
    /// A quoted attribute value of `tag` (names in lower case).
    Attribute {
        /// The element.
        tag: String,
        /// The attribute.
        name: String,
    },
    /// Nowhere escaping makes a value safe; the reason says where.
    Unsafe(&'static str),
}

/// Attributes whose value is a URL (or a list of them): a name there could be a
/// `javascript:` link or send the reader elsewhere.
const URL_ATTRIBUTES: [&str; 26] = [
    "href",
    "src",
    "action",
    "formaction",
    "cite",
    "background",
    "poster",
    "data",
    "codebase",
    "classid",
    "archive",
    "code",
    "longdesc",
    "usemap",
    "manifest",
    "srcset",
    "imagesrcset",
    "ping",
    "icon",
    "dynsrc",
    "lowsrc",
    "profile",
    "xlink:href",
    "xmlns",
    "itemtype",
    "attributionsrc",
];

/// Why a quoted attribute value of `name` on `tag` is not plain text, if it is not: an
/// event handler (script), `style` (CSS), `srcdoc` (a document), or a URL.
pub fn attribute_kind(tag: &str, name: &str) -> Option<AttributeKind> {
    if name.starts_with("on") {
        Some(AttributeKind::Script)
    } else if name == "style" {
        Some(AttributeKind::Css)
    } else if name == "srcdoc" {
        Some(AttributeKind::Document)
    } else if URL_ATTRIBUTES.contains(&name)
        || (tag == "meta" && name == "content")
        || (tag == "param" && name == "value")
    {
        Some(AttributeKind::Url)
    } else {
        None
    }
}

/// What a quoted attribute value holds when it is not plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    /// An event handler (`onclick` …): script.
    Script,
    /// `style`: CSS.
    Css,
    /// `srcdoc`: a whole HTML document.
    Document,
    /// A URL (`href`, `src`, `action`, `formaction` …).
    Url,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raw {
    /// `<title>`, `<textarea>`: entities decoded, no tags but the end tag.
    Rcdata,
    /// `<style>`, `<xmp>`, `<iframe>`, `<noembed>`, `<noframes>`, `<noscript>`.
    Rawtext,
    /// `<script>`.
    Script,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    TagOpen,
    EndTagOpen,
    TagName,
    BeforeAttrName,
    AttrName,
    AfterAttrName,
    BeforeAttrValue,
    AttrValue(char),
    AttrValueUnquoted,
    AfterAttrValueQuoted,
    SelfClosing,
    /// After `<!`: up to seven characters tell a comment, a doctype or a bogus comment.
    MarkupDeclaration,
    Comment,
    BogusComment,
    Doctype,
    /// Inside a raw-text or RCDATA element, until its end tag.
    Raw(Raw),
    /// After `<plaintext>`: the rest of the document is text.
    Plaintext,
    /// A `<script>` with `<!--` in it: hearken does not follow its escape states; the
    /// rest of the template counts as script.
    ScriptForever,
}

/// Follows the HTML5 tokenizer's states through a template's markup, one piece of text at
/// a time, to tell the [`Context`] of the placeholder that follows each piece. Tree
/// construction is followed only where it switches the tokenizer (raw-text and RCDATA
/// elements, `<plaintext>`) or changes the rules (`<svg>`, `<math>`).
#[derive(Debug, Clone)]
pub struct Scanner {
    state: State,
    /// The name of the tag being read (lower case), whether it is an end tag, and
    /// whether it closed itself.
    tag: String,
    end_tag: bool,
    self_closing: bool,
    /// The attribute being read (lower case).
    attribute: String,
    /// The raw-text element open, and what was read since its start tag.
    raw_name: String,
    raw_text: String,
    /// What was read of a markup declaration, or the end of a comment.
    buffer: String,
    /// How many `<svg>`/`<math>` elements are open.
    foreign: usize,
}

impl Default for Scanner {
    fn default() -> Self {
        Scanner::new()
    }
}

fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

impl Scanner {
    /// A scanner at the start of a document.
    pub fn new() -> Self {
        Scanner {
            state: State::Data,
            tag: String::new(),
            end_tag: false,
            self_closing: false,
            attribute: String::new(),
            raw_name: String::new(),
            raw_text: String::new(),
            buffer: String::new(),
            foreign: 0,
        }
    }

    /// Reads the template's own text (markup).
    pub fn feed(&mut self, text: &str) {
        for c in text.chars() {
            self.step(c);
        }
    }

    /// Reads a value inserted where [`Self::context`] said it is safe: the escaped value
    /// is text there, so only a raw-text element's end-tag search sees it.
    pub fn feed_value(&mut self) {
        if let State::Raw(_) = self.state {
            // The value holds no `<`: no end tag can start inside or across it.
            self.raw_text.push(' ');
        }
    }

    /// The context of a placeholder at this point.
    pub fn context(&self) -> Context {
        match self.state {
            State::Data if self.foreign > 0 => Context::Unsafe("inside `<svg>` or `<math>`"),
            State::Data => Context::Text,
            State::AttrValue(_) if self.foreign > 0 => {
                Context::Unsafe("inside `<svg>` or `<math>`")
            }
            State::AttrValue(_) => Context::Attribute {
                tag: self.tag.clone(),
                name: self.attribute.clone(),
            },
            State::BeforeAttrValue | State::AttrValueUnquoted => {
                Context::Unsafe("in an unquoted attribute value; quote the value with \" or '")
            }
            State::TagOpen
            | State::EndTagOpen
            | State::TagName
            | State::BeforeAttrName
            | State::AttrName
            | State::AfterAttrName
            | State::AfterAttrValueQuoted
            | State::SelfClosing => {
                Context::Unsafe("inside a tag, not in a quoted attribute value")
            }
            State::MarkupDeclaration | State::BogusComment | State::Doctype => {
                Context::Unsafe("inside a `<!…>` or `<?…>` declaration")
            }
            State::Comment => {
                Context::Unsafe("inside an HTML comment (mail clients act on conditional comments)")
            }
            State::Plaintext => Context::Unsafe("after `<plaintext>`"),
            State::Raw(Raw::Script) | State::ScriptForever => Context::Unsafe("inside `<script>`"),
            State::Raw(Raw::Rawtext) if self.raw_name == "style" => {
                Context::Unsafe("inside `<style>`")
            }
            State::Raw(Raw::Rawtext) => Context::Unsafe(
                "inside a raw-text element (`<xmp>`, `<iframe>`, `<noscript>`, `<noembed>`, \
                 `<noframes>`)",
            ),
            State::Raw(Raw::Rcdata) => {
                // Right after `<` or a part of `</title`, a value could finish the end tag.
                let tail = self.raw_text.rfind('<').map(|i| &self.raw_text[i + 1..]);
                match tail {
                    Some(t) if format!("/{}", self.raw_name).starts_with(t) => {
                        Context::Unsafe("right after `<`, where it could end the element")
                    }
                    _ if self.foreign > 0 => Context::Unsafe("inside `<svg>` or `<math>`"),
                    _ => Context::Rcdata,
                }
            }
        }
    }

    fn start_tag(&mut self, c: char, end: bool) {
        self.tag.clear();
        self.tag.extend(c.to_lowercase());
        self.end_tag = end;
        self.self_closing = false;
        self.state = State::TagName;
    }

    fn new_attribute(&mut self, c: char) {
        self.attribute.clear();
        self.attribute.extend(c.to_lowercase());
        self.state = State::AttrName;
    }

    fn emit_tag(&mut self) {
        self.state = State::Data;
        let name = self.tag.as_str();
        if self.end_tag {
            if matches!(name, "svg" | "math") {
                self.foreign = self.foreign.saturating_sub(1);
            }
            return;
        }
        let raw = match name {
            "script" => Some(Raw::Script),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(Raw::Rawtext),
            "title" | "textarea" => Some(Raw::Rcdata),
            "plaintext" => {
                self.state = State::Plaintext;
                None
            }
            "svg" | "math" if !self.self_closing => {
                self.foreign += 1;
                None
            }
            _ => None,
        };
        if let Some(raw) = raw {
            self.raw_name = self.tag.clone();
            self.raw_text.clear();
            self.state = State::Raw(raw);
        }
    }

    fn step(&mut self, c: char) {
        match self.state {
            State::Data => {
                if c == '<' {
                    self.state = State::TagOpen;
                }
            }
            State::TagOpen => match c {
                '!' => {
                    self.buffer.clear();
                    self.state = State::MarkupDeclaration;
                }
                '/' => self.state = State::EndTagOpen,
                '?' => self.state = State::BogusComment,
                c if c.is_ascii_alphabetic() => self.start_tag(c, false),
                '<' => self.state = State::TagOpen,
                _ => self.state = State::Data,
            },
            State::EndTagOpen => match c {
                c if c.is_ascii_alphabetic() => self.start_tag(c, true),
                '>' => self.state = State::Data,
                _ => self.state = State::BogusComment,
            },
            State::TagName => match c {
                c if is_space(c) => self.state = State::BeforeAttrName,
                '/' => self.state = State::SelfClosing,
                '>' => self.emit_tag(),
                c => self.tag.extend(c.to_lowercase()),
            },
            State::BeforeAttrName => match c {
                c if is_space(c) => {}
                '/' => self.state = State::SelfClosing,
                '>' => self.emit_tag(),
                c => self.new_attribute(c),
            },
            State::AttrName => match c {
                c if is_space(c) => self.state = State::AfterAttrName,
                '/' => self.state = State::SelfClosing,
                '>' => self.emit_tag(),
                '=' => self.state = State::BeforeAttrValue,
                c => self.attribute.extend(c.to_lowercase()),
            },
            State::AfterAttrName => match c {
                c if is_space(c) => {}
                '/' => self.state = State::SelfClosing,
                '=' => self.state = State::BeforeAttrValue,
                '>' => self.emit_tag(),
                c => self.new_attribute(c),
            },
            State::BeforeAttrValue => match c {
                c if is_space(c) => {}
                '"' | '\'' => self.state = State::AttrValue(c),
                '>' => self.emit_tag(),
                _ => self.state = State::AttrValueUnquoted,
            },
            State::AttrValue(q) => {
                if c == q {
                    self.state = State::AfterAttrValueQuoted;
                }
            }
            State::AttrValueUnquoted => match c {
                c if is_space(c) => self.state = State::BeforeAttrName,
                '>' => self.emit_tag(),
                _ => {}
            },
            State::AfterAttrValueQuoted => match c {
                c if is_space(c) => self.state = State::BeforeAttrName,
                '/' => self.state = State::SelfClosing,
                '>' => self.emit_tag(),
                c => {
                    self.state = State::BeforeAttrName;
                    self.step(c);
                }
            },
            State::SelfClosing => match c {
                '>' => {
                    self.self_closing = true;
                    self.emit_tag();
                }
                c => {
                    self.state = State::BeforeAttrName;
                    self.step(c);
                }
            },
            State::MarkupDeclaration => {
                self.buffer.push(c);
                let b = self.buffer.to_ascii_lowercase();
                if b == "--" {
                    self.buffer.clear();
                    self.state = State::Comment;
                } else if b == "doctype" {
                    self.state = State::Doctype;
                } else if !("--".starts_with(&b) || "doctype".starts_with(&b)) {
                    // `<![CDATA[` outside foreign content is a bogus comment too.
                    self.state = if c == '>' {
                        State::Data
                    } else {
                        State::BogusComment
                    };
                }
            }
            State::Comment => {
                // `<!-->` and `<!--->` end at once; else `-->` or `--!>` ends it.
                let just_opened = self.buffer.is_empty() || self.buffer == "\u{0}-";
                if just_opened && c == '>' {
                    self.buffer.clear();
                    self.state = State::Data;
                    return;
                }
                if self.buffer.is_empty() && c == '-' {
                    // Marks the first character of the comment: `<!--` then `-`.
                    self.buffer.push('\u{0}');
                }
                self.buffer.push(c);
                let b = self.buffer.as_str();
                if b.ends_with("-->") || b.ends_with("--!>") {
                    self.buffer.clear();
                    self.state = State::Data;
                } else if b.chars().count() > 4 {
                    let first = b.chars().next().map_or(0, char::len_utf8);
                    self.buffer.drain(..first);
                }
            }
            State::BogusComment | State::Doctype => {
                if c == '>' {
                    self.state = State::Data;
                }
            }
            State::Raw(raw) => {
                if raw == Raw::Script && self.raw_text.ends_with("<!-") && c == '-' {
                    self.state = State::ScriptForever;
                    return;
                }
                if (is_space(c) || c == '/' || c == '>')
                    && let Some(i) = self.raw_text.rfind("</")
                    && self.raw_text[i + 2..].eq_ignore_ascii_case(&self.raw_name)
                {
                    self.tag = self.raw_name.clone();
                    self.end_tag = true;
                    self.raw_text.clear();
                    self.state = State::TagName;
                    self.step(c);
                    return;
                }
                self.raw_text.push(c);
                if self.raw_text.len() > 64 {
                    let keep = self.raw_text.len() - 32;
                    let keep = (keep..self.raw_text.len())
                        .find(|&i| self.raw_text.is_char_boundary(i))
                        .unwrap_or(0);
                    self.raw_text.drain(..keep);
                }
            }
            State::Plaintext | State::ScriptForever => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn m4_markup_characters_become_entities() {
        assert_eq!(
            super::escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    fn at(markup: &str) -> Context {
        let mut s = Scanner::new();
        s.feed(markup);
        s.context()
    }

    fn attr(tag: &str, name: &str) -> Context {
        Context::Attribute {
            tag: tag.into(),
            name: name.into(),
        }
    }

    #[test]
    fn m4_the_scanner_tells_text_attributes_and_unsafe_places() {
        assert_eq!(at(""), Context::Text);
        assert_eq!(at("<p class=\"x\">a < b "), Context::Text);
        assert_eq!(at("<p title='Un mot de "), attr("p", "title"));
        assert_eq!(at("<P TITLE=\"x"), attr("p", "title"));
        assert_eq!(at("<a\nhref = 'x"), attr("a", "href"));
        assert_eq!(at("<title>Hi "), Context::Rcdata);
        assert_eq!(at("<title>a</title>"), Context::Text);
        assert_eq!(at("<textarea>a</TEXTAREA >b"), Context::Text);
        assert_eq!(at("<!-- x --><p>"), Context::Text);
        assert_eq!(at("<!--><p>"), Context::Text);
        assert_eq!(at("<!doctype html><p>"), Context::Text);
        assert_eq!(at("<style>p{}</style>"), Context::Text);
        assert_eq!(at("<script>1</script >"), Context::Text);
        assert_eq!(at("<svg><rect/></svg><p>"), Context::Text);
        for unsafe_place in [
            "<p title=",
            "<p title=x",
            "<p title= ",
            "<",
            "</",
            "<p",
            "<p ",
            "<p title",
            "<p title=\"x\"",
            "<p/",
            "<!-- ",
            "<!-- a -- ",
            "<!",
            "<!doctype ",
            "<? ",
            "<script>",
            "<script>var a = '",
            "<script><!--</script>",
            "<style>",
            "<xmp>",
            "<noscript>",
            "<plaintext></plaintext>",
            "<title><",
            "<title></",
            "<title></tit",
            "<svg><text>",
            "<svg><a title=\"",
            "<math>",
        ] {
            assert!(
                matches!(at(unsafe_place), Context::Unsafe(_)),
                "{unsafe_place}: {:?}",
                at(unsafe_place)
            );
        }
    }

    #[test]
    fn m4_attribute_kinds() {
        assert_eq!(attribute_kind("a", "href"), Some(AttributeKind::Url));
        assert_eq!(attribute_kind("form", "action"), Some(AttributeKind::Url));
        assert_eq!(
            attribute_kind("button", "formaction"),
            Some(AttributeKind::Url)
        );
        assert_eq!(attribute_kind("img", "src"), Some(AttributeKind::Url));
        assert_eq!(attribute_kind("meta", "content"), Some(AttributeKind::Url));
        assert_eq!(
            attribute_kind("p", "onmouseover"),
            Some(AttributeKind::Script)
        );
        assert_eq!(attribute_kind("p", "style"), Some(AttributeKind::Css));
        assert_eq!(
            attribute_kind("iframe", "srcdoc"),
            Some(AttributeKind::Document)
        );
        assert_eq!(attribute_kind("p", "title"), None);
        assert_eq!(attribute_kind("img", "alt"), None);
    }
}
