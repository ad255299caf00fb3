//! A browser without JavaScript for the page tests: follows no redirect by itself, keeps cookies, signs in
//! through a new user's one-time link.

use crate::{ADMIN_TOKEN, TestApp};
use std::collections::BTreeMap;

#[derive(Clone)]
pub struct Browser {
    http: reqwest::blocking::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    /// The `Accept-Language` sent: "en" unless `language` changes it.
    language: &'static str,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    /// The body as received (downloads: CSV, XLSX).
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
    pub fn location(&self) -> String {
        self.header("location")
    }
    /// The value of the first `<input name="{name}" value="…">`.
    pub fn input(&self, name: &str) -> String {
        let key = format!("name=\"{name}\" value=\"");
        let start = self
            .body
            .find(&key)
            .map(|i| i + key.len())
            .unwrap_or_else(|| panic!("no input {name}: {}", self.body));
        self.body[start..]
            .split('"')
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether the input named `name` is marked invalid.
    pub fn marked(&self, name: &str) -> bool {
        self.body
            .split('<')
            .any(|tag| tag.contains(&format!("name=\"{name}\"")) && tag.contains("aria-invalid"))
    }
}

pub const PASSWORD: &str = "correct horse battery";

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        Browser {
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            cookies: BTreeMap::new(),
            language: "en",
        }
    }

    /// The same session, asking for pages in `language` (e.g. "zh-CN").
    pub fn language(mut self, language: &'static str) -> Browser {
        self.language = language;
        self
    }

    fn send(&mut self, req: reqwest::blocking::RequestBuilder) -> Page {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let resp = req
            .header("Cookie", cookie.join("; "))
            .header("Accept-Language", self.language)
            .send()
            .expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        for v in headers.get_all("set-cookie") {
            let v = v.to_str().unwrap_or_default();
            let first = v.split(';').next().unwrap_or_default();
            if let Some((k, val)) = first.split_once('=') {
                if v.contains("Max-Age=0") || val.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), val.to_owned());
                }
            }
        }
        let bytes = resp.bytes().map(|b| b.to_vec()).unwrap_or_default();
        Page {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    pub fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req)
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req)
    }

    /// The CSRF token of this session (from any signed-in page's forms).
    pub fn csrf(&mut self) -> String {
        self.get("/").input("csrf")
    }

    /// Posts a form with this session's CSRF token.
    pub fn submit(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf();
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post(path, &form)
    }

    /// The first administrator, signed in on the web with its API token.
    pub fn admin(app: &TestApp) -> Browser {
        let mut b = Browser::new(app);
        let form = b.get("/login");
        let pre = form.input("csrf");
        let r = b.post(
            "/login",
            &[("csrf", &pre), ("next", "/"), ("token", ADMIN_TOKEN)],
        );
        assert_eq!(r.status, 303, "{}", r.body);
        b
    }

    /// Creates a user of `org` with `roles` as the administrator, follows its one-time link, chooses `login`
    /// and the password, which signs them in. Returns the browser and the user's API token.
    pub fn user(app: &TestApp, org: &str, roles: &[&str], login: &str) -> (Browser, String) {
        let r = app.post(
            &format!("/api/v1/organizations/{org}/users"),
            ADMIN_TOKEN,
            serde_json::json!({"name": format!("用户 {login}"), "roles": roles, "trained_until": "2099-12-31"}),
        );
        assert_eq!(r.0, 201, "{}", r.1);
        let token = r.1["token"].as_str().expect("token").to_owned();
        let link = r.1["signin_link"].as_str().expect("link").to_owned();
        let mut b = Browser::new(app);
        let page = b.get(&link);
        assert_eq!(page.status, 200, "{}", page.body);
        let t = page.input("t");
        let done = b.post(
            "/welcome",
            &[
                ("t", &t),
                ("login", login),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        );
        assert_eq!(done.status, 303, "{}", done.body);
        // Choosing the password signed them in.
        assert_eq!(done.location(), "/", "{}", done.body);
        (b, token)
    }
}
