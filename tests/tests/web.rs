//! The web interface's pages on SQLite and PostgreSQL: sign-in through the one-time link, the session cookie and
//! its idle expiry, the CSRF check, the sign-in limiter, both languages, escaping, the security headers, and a
//! refusal shown in plain words. Each test drives the real service over HTTP like a browser without JavaScript.

use diesel::RunQueryDsl;
use serde_json::json;
use std::collections::BTreeMap;
use waste_e2e::{ADMIN_TOKEN, TestApp, both_backends, count};

/// A browser without JavaScript: follows no redirect by itself, keeps cookies.
struct Browser {
    http: reqwest::blocking::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    lang: Option<&'static str>,
}

struct Page {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> String {
        self.headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
    fn location(&self) -> String {
        self.header("location")
    }
    /// The value of the first `<input name="{name}" value="…">`.
    fn input(&self, name: &str) -> String {
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
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        Browser {
            http: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: app.base.clone(),
            cookies: BTreeMap::new(),
            lang: None,
        }
    }

    fn send(&mut self, req: reqwest::blocking::RequestBuilder) -> Page {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut req = req.header("Cookie", cookie.join("; "));
        if let Some(l) = self.lang {
            req = req.header("Accept-Language", l);
        }
        let resp = req.send().expect("request");
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
        Page {
            status,
            headers,
            body: resp.text().unwrap_or_default(),
        }
    }

    fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req)
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req)
    }

    /// Signs in with a sign-in name and password through the login form (its double-submit CSRF token included).
    fn sign_in(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/login");
        let pre = form.input("csrf");
        self.post(
            "/login",
            &[
                ("csrf", &pre),
                ("next", "/"),
                ("login", login),
                ("password", password),
            ],
        )
    }
}

const PASSWORD: &str = "correct horse battery";

/// A school with a lab teacher (lab staff and safety officer); returns the school id and the user's one-time link.
fn school_user(app: &TestApp, name: &str) -> (String, String) {
    static SCHOOLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = SCHOOLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let school = app.post(
        "/api/v1/organizations",
        ADMIN_TOKEN,
        json!({"kind": "school", "name": "第一中学", "credit_code": waste_e2e::credit_code(n), "region_code": "220102"}),
    );
    assert_eq!(school.0, 201, "{}", school.1);
    let id = school.1["id"].as_str().expect("id").to_owned();
    let user = app.post(
        &format!("/api/v1/organizations/{id}/users"),
        ADMIN_TOKEN,
        json!({"name": name, "roles": ["lab_staff", "safety_officer"], "trained_until": "2099-12-31"}),
    );
    assert_eq!(user.0, 201, "{}", user.1);
    assert!(
        user.1["token"]
            .as_str()
            .is_some_and(|t| t.starts_with("wst_")),
        "the API token is still given"
    );
    let link = user.1["signin_link"]
        .as_str()
        .expect("the user creation answer holds the one-time link")
        .to_owned();
    assert!(link.starts_with("/welcome?t=wsl_"), "{link}");
    (id, link)
}

/// Follows the link, chooses `login` and the password, and signs in.
fn signed_in(app: &TestApp, login: &str) -> Browser {
    let (_, link) = school_user(app, "王老师");
    let mut b = Browser::new(app);
    let page = b.get(&link);
    assert_eq!(page.status, 200);
    let token = page.input("t");
    let done = b.post(
        "/welcome",
        &[
            ("t", &token),
            ("login", login),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    // Choosing the password signed them in.
    assert_eq!(done.location(), "/");
    b
}

fn the_one_time_link_sets_a_password_once_and_signs_in(app: &TestApp) {
    let (_, link) = school_user(app, "王老师");
    let mut b = Browser::new(app);
    let page = b.get(&link);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("王老师"),
        "the page greets the user by name"
    );
    assert_eq!(
        page.header("cache-control"),
        "no-store",
        "a page holding a secret is never stored"
    );
    let token = page.input("t");
    // Mismatched passwords and short passwords are refused with the reason, and the link still works.
    let bad = b.post(
        "/welcome",
        &[
            ("t", &token),
            ("login", "wang"),
            ("password", PASSWORD),
            ("password2", "other password!"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("两次输入的密码不一致"), "{}", bad.body);
    let short = b.post(
        "/welcome",
        &[
            ("t", &token),
            ("login", "wang"),
            ("password", "short"),
            ("password2", "short"),
        ],
    );
    assert_eq!(short.status, 422);
    let ok = b.post(
        "/welcome",
        &[
            ("t", &token),
            ("login", "wang"),
            ("password", PASSWORD),
            ("password2", PASSWORD),
        ],
    );
    assert_eq!(ok.status, 303);
    // Choosing the password signs the person in: no second form asking for what they just typed.
    assert_eq!(ok.location(), "/");
    let home = b.get("/");
    assert_eq!(
        home.status, 200,
        "signed in straight after choosing a password"
    );
    let hash: Vec<String> = {
        #[derive(diesel::QueryableByName)]
        struct H {
            #[diesel(sql_type = diesel::sql_types::Text)]
            password_hash: String,
        }
        let mut c = app.db();
        diesel::sql_query("SELECT password_hash FROM users WHERE login = 'wang'")
            .load::<H>(&mut *c)
            .expect("query")
            .into_iter()
            .map(|h| h.password_hash)
            .collect()
    };
    assert!(
        hash.len() == 1 && hash[0].starts_with("$argon2id$"),
        "argon2id hash stored: {hash:?}"
    );
    // The link works once.
    assert_eq!(b.get(&link).status, 404);
    assert_eq!(
        b.post(
            "/welcome",
            &[
                ("t", &token),
                ("login", "wang2"),
                ("password", PASSWORD),
                ("password2", PASSWORD)
            ]
        )
        .status,
        404
    );

    let wrong = b.sign_in("wang", "not the password");
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("登录名或密码不正确"));
    let r = b.sign_in("wang", PASSWORD);
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), "/");
    let cookie = r.header("set-cookie");
    assert!(
        cookie.contains("wst_session=wss_")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let home = b.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("待办") && home.body.contains("王老师"));
    // The API's bearer tokens keep working beside the browser session.
    assert_eq!(app.get("/api/v1/organizations", ADMIN_TOKEN).0, 200);

    // Sign-out ends the session: the same cookie no longer opens a page.
    let cookie_before = b.cookies.clone();
    let out = b.post("/logout", &[("csrf", &home.input("csrf"))]);
    assert_eq!(out.status, 303);
    b.cookies = cookie_before;
    let after = b.get("/");
    assert_eq!(after.status, 303);
    assert!(after.location().starts_with("/login"));
}

fn every_page_carries_the_security_headers(app: &TestApp) {
    let mut b = signed_in(app, "headers");
    for path in [
        "/",
        "/login",
        "/containers",
        "/containers/new",
        "/scan",
        "/school",
        "/school/people",
    ] {
        let p = b.get(path);
        assert_eq!(p.status, 200, "{path}");
        let csp = p.header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(p.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(p.header("referrer-policy"), "no-referrer", "{path}");
        assert!(p.body.contains("<meta name=\"viewport\""), "{path}");
        // Every page of a signed-in person has Scan; the sign-in page has no one to scan for.
        assert_eq!(
            p.body.contains("href=\"/scan\""),
            path != "/login",
            "{path}: Scan"
        );
        assert!(
            !p.body.contains("<script>") && !p.body.contains(" onclick="),
            "{path}: no inline script"
        );
    }
    // Assets: hashed URL, long cache.
    let home = b.get("/");
    let css = home
        .body
        .split("href=\"/assets/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("stylesheet");
    let asset = b.get(&format!("/assets/{css}"));
    assert_eq!(asset.status, 200);
    assert!(asset.header("cache-control").contains("immutable"));
}

fn pages_need_a_session(app: &TestApp) {
    let mut b = Browser::new(app);
    let p = b.get("/containers");
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), "/login?next=%2Fcontainers");
    let forged = b.post(
        "/containers/new",
        &[("lab", "X"), ("capacity", "20"), ("material", "hdpe")],
    );
    assert_eq!(forged.status, 303);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM containers"), 0);
}

fn a_form_without_its_csrf_token_is_refused_and_writes_nothing(app: &TestApp) {
    let mut b = signed_in(app, "csrf");
    let none = b.post(
        "/containers/new",
        &[("lab", "B-304"), ("capacity", "20"), ("material", "hdpe")],
    );
    assert_eq!(none.status, 403);
    assert!(none.body.contains("表单已过期或来源不明"));
    let wrong = b.post(
        "/containers/new",
        &[
            ("csrf", "0000"),
            ("lab", "B-304"),
            ("capacity", "20"),
            ("material", "hdpe"),
        ],
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM containers"), 0);
    let form = b.get("/containers/new");
    let ok = b.post(
        "/containers/new",
        &[
            ("csrf", &form.input("csrf")),
            ("lab", "B-304"),
            ("capacity", "20"),
            ("material", "hdpe"),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM containers"), 1);
    // The sign-in form has its own token (double submit): without it, no session.
    let mut other = Browser::new(app);
    let r = other.post("/login", &[("login", "csrf"), ("password", PASSWORD)]);
    assert_eq!(r.status, 403);
    assert!(!other.cookies.contains_key("wst_session"));
}

fn an_idle_session_expires(app: &TestApp) {
    let mut b = signed_in(app, "idle");
    assert_eq!(b.get("/").status, 200);
    // Two hours without a request (the idle limit is 30 minutes): the session's last activity is moved back.
    let mut c = app.db();
    diesel::sql_query("UPDATE web_sessions SET last_seen_at = '2020-01-01T00:00:00.000000Z'")
        .execute(&mut *c)
        .expect("back-date");
    let p = b.get("/containers");
    assert_eq!(p.status, 303);
    assert_eq!(p.location(), "/login?next=%2Fcontainers&expired=1");
    assert_eq!(
        count(app, "SELECT COUNT(*) AS n FROM web_sessions"),
        0,
        "the expired session is deleted"
    );
    let login = b.get("/login?expired=1");
    assert!(login.body.contains("长时间未操作"));
}

fn sign_in_attempts_are_limited_per_account(app: &TestApp) {
    let mut b = signed_in(app, "limited");
    for _ in 0..5 {
        assert_eq!(b.sign_in("limited", "wrong password").status, 401);
    }
    let blocked = b.sign_in("limited", PASSWORD);
    assert_eq!(blocked.status, 429, "even the right password waits");
    assert!(
        blocked.body.contains("此账号登录失败次数过多"),
        "{}",
        blocked.body
    );
}

fn both_languages(app: &TestApp) {
    let mut b = Browser::new(app);
    let zh = b.get("/login");
    assert!(zh.body.contains("<html lang=\"zh-CN\">") && zh.body.contains("登录名"));
    let en = b.get("/login?lang=en");
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Sign-in name"));
    assert!(
        en.header("set-cookie").contains("lang=en"),
        "the choice is remembered"
    );
    assert!(
        b.get("/login").body.contains("Sign-in name"),
        "the cookie keeps English"
    );
    let mut browser_en = Browser::new(app);
    browser_en.lang = Some("en-GB,en;q=0.9");
    assert!(
        browser_en.get("/login").body.contains("Sign-in name"),
        "the browser's language"
    );
    // The toggle points at the same page in the other language.
    assert!(zh.body.contains("href=\"/login?lang=en\""));
}

fn user_text_is_escaped(app: &TestApp) {
    let mut b = signed_in(app, "escape");
    let form = b.get("/containers/new");
    let r = b.post(
        "/containers/new",
        &[
            ("csrf", &form.input("csrf")),
            ("lab", "<script>alert(1)</script>"),
            ("capacity", "20"),
            ("material", "hdpe"),
            ("contact", "\"><img src=x onerror=alert(2)>"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&r.location());
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(
        page.body.contains("&#60;script&#62;alert(1)")
            || page.body.contains("&lt;script&gt;alert(1)")
    );
    let list = b.get("/containers");
    assert!(!list.body.contains("<script>alert(1)"));
}

fn a_refusal_is_shown_in_plain_words_and_nothing_is_recorded(app: &TestApp) {
    let mut b = signed_in(app, "refusal");
    let form = b.get("/containers/new");
    let r = b.post(
        "/containers/new",
        &[
            ("csrf", &form.input("csrf")),
            ("lab", "C-210"),
            ("capacity", "20"),
            ("material", "hdpe"),
        ],
    );
    let path = r.location();
    let csrf = form.input("csrf");
    // Potassium cyanide first (the search finds it by its Chinese name).
    let search = b.get(&format!("{path}/search?q=%E6%B0%B0%E5%8C%96%E9%92%BE"));
    assert!(search.body.contains("151-50-8"), "{}", search.body);
    let added = b.post(
        &format!("{path}/add"),
        &[
            ("csrf", &csrf),
            ("cas", "151-50-8"),
            ("form", "liquid"),
            ("origin", "experiment_residue"),
            ("qty", "1"),
            ("unit", "L"),
        ],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    let opened = added
        .location()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let before = count(app, "SELECT COUNT(*) AS n FROM additions");
    let events = count(app, "SELECT COUNT(*) AS n FROM events");
    // Then a cyanide solution with hydrochloric acid in it.
    let preview = b.get(&format!("{opened}/preview?cas=143-33-9&cas=7647-01-0&form=liquid&origin=experiment_residue&qty=0.5&unit=L"));
    assert_eq!(preview.status, 200);
    assert!(
        preview.body.contains("不能倒入") && preview.body.contains("放出有毒气体"),
        "{}",
        preview.body
    );
    assert!(
        preview.body.contains("EPA-600/2-80-076"),
        "the source is named"
    );
    let refused = b.post(
        &format!("{opened}/add"),
        &[
            ("csrf", &csrf),
            ("cas", "143-33-9"),
            ("cas", "7647-01-0"),
            ("form", "liquid"),
            ("origin", "experiment_residue"),
            ("qty", "0.5"),
            ("unit", "L"),
        ],
    );
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("放出有毒气体") && refused.body.contains("盐酸"),
        "{}",
        refused.body
    );
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM additions"), before);
    assert_eq!(count(app, "SELECT COUNT(*) AS n FROM events"), events);
    // "我知道了" drops the acid the refusal names and keeps the rest of the draft (else the next tap on Add is
    // refused again).
    for page in [&preview, &refused] {
        let at = page
            .body
            .find("id=\"refusal-dismiss\"")
            .unwrap_or_else(|| panic!("a dismiss link: {}", page.body));
        let tag = &page.body[page.body[..at].rfind("<a ").unwrap_or(0)..at];
        let href = tag
            .split("href=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .unwrap_or_default()
            .replace("&#38;", "&")
            .replace("&amp;", "&");
        assert!(href.starts_with(&format!("{opened}/add?")), "{href}");
        assert!(href.contains("cas=143-33-9"), "the cyanide stays: {href}");
        assert!(!href.contains("7647-01-0"), "the acid goes: {href}");
        assert!(href.contains("qty=0.5"), "{href}");
        assert!(page.body.contains("我知道了，不倒入它"));
    }
    // In English, the same refusal in English words.
    let en = b.get(&format!(
        "{opened}/preview?cas=143-33-9&cas=7647-01-0&qty=0.5&lang=en"
    ));
    assert!(
        en.body.contains("Do not pour") && en.body.contains("toxic gas"),
        "{}",
        en.body
    );
}

fn the_container_page_opens_by_digital_id_and_prints_at_true_size(app: &TestApp) {
    let mut b = signed_in(app, "print");
    let form = b.get("/containers/new");
    let csrf = form.input("csrf");
    let r = b.post(
        "/containers/new",
        &[
            ("csrf", &csrf),
            ("lab", "B-304"),
            ("capacity", "200"),
            ("material", "hdpe"),
        ],
    );
    let path = r.location();
    assert_eq!(
        b.get(&format!("{path}/print")).status,
        409,
        "an incomplete label does not print"
    );
    let added = b.post(
        &format!("{path}/add"),
        &[
            ("csrf", &csrf),
            ("cas", "75-09-2"),
            ("qty", "2"),
            ("unit", "L"),
        ],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    let opened = added.location();
    let digital = opened
        .trim_start_matches("/c/")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(
        digital.len() > 20 && digital.chars().all(|c| c.is_ascii_alphanumeric()),
        "{digital}"
    );
    let page = b.get(&format!("/c/{digital}"));
    assert!(page.body.contains("二氯甲烷") && page.body.contains("900-047-49"));
    let svg = b.get(&format!("/c/{digital}/label.svg"));
    assert_eq!(svg.header("content-type"), "image/svg+xml");
    assert!(
        svg.body.contains("width=\"150mm\""),
        "200 L → 150 mm label (HJ 1276-2022)"
    );
    let print = b.get(&format!("/c/{digital}/print"));
    assert!(print.body.contains("page-150.css") && print.body.contains("size-150"));
    let sheet = b.get(&format!("/c/{digital}/print?copies=4"));
    assert!(sheet.body.contains("page-a4.css"));
    assert_eq!(sheet.body.matches("class=\"label-print").count(), 4);
    // Scan with the code lands on the container.
    let scan = b.get(&format!("/scan?code={digital}"));
    assert_eq!(scan.status, 303);
    assert_eq!(scan.location(), format!("/c/{digital}"));
    // Seal, once.
    let sealed = b.post(&format!("/c/{digital}/seal"), &[("csrf", &csrf)]);
    assert_eq!(sealed.status, 303);
    let again = b.post(&format!("/c/{digital}/seal"), &[("csrf", &csrf)]);
    assert_eq!(again.status, 409);
}

fn an_administrator_signs_in_with_the_api_token_and_creates_a_user(app: &TestApp) {
    let (school, _) = school_user(app, "张老师");
    let mut b = Browser::new(app);
    let form = b.get("/login");
    let r = b.post(
        "/login",
        &[("csrf", &form.input("csrf")), ("token", ADMIN_TOKEN)],
    );
    assert_eq!(r.status, 303);
    let admin = b.get("/admin");
    assert_eq!(admin.status, 200);
    assert!(admin.body.contains("第一中学"));
    let csrf = admin.input("csrf");
    let bad = b.post(
        "/admin",
        &[
            ("csrf", &csrf),
            ("kind", "school"),
            ("name", "二中"),
            ("credit_code", "91350100M000100Y40"),
            ("region_code", "220102"),
        ],
    );
    assert_eq!(bad.status, 422, "a wrong check character is refused");
    let firm = b.post(
        "/admin",
        &[
            ("csrf", &csrf),
            ("kind", "disposal_firm"),
            ("name", "处置公司"),
            ("credit_code", "91220112MA00000037"),
            ("region_code", "220112"),
            ("license_number", "JL-HW-009"),
            ("license_codes", "900-047-49，900-999-49"),
            ("license_valid_until", "2099-12-31"),
        ],
    );
    assert_eq!(firm.status, 303, "{}", firm.body);
    let firm_page = b.get(&firm.header("location"));
    assert_eq!(firm_page.status, 200);
    assert!(
        firm_page.body.contains("JL-HW-009"),
        "the licence is recorded"
    );
    let created = b.post(
        &format!("/admin/o/{school}/users"),
        &[
            ("csrf", &csrf),
            ("name", "赵老师"),
            ("roles", "lab_staff"),
            ("trained_until", "2099-01-01"),
        ],
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("cache-control"), "no-store");
    assert!(
        created.body.contains("/welcome?t=wsl_"),
        "the one-time link is shown once"
    );
    let at = created
        .body
        .find("/welcome?t=wsl_")
        .expect("the link is shown");
    let link: String = created.body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "/?=_".contains(*c))
        .collect();
    let mut newcomer = Browser::new(app);
    assert_eq!(newcomer.get(&link).status, 200, "the shown link opens");
    let people = b.get(&format!("/admin/o/{school}"));
    assert!(people.body.contains("赵老师"), "the new user is listed");
    // A lab teacher is not an administrator.
    let mut teacher = signed_in(app, "not-admin");
    assert_eq!(teacher.get("/admin").status, 403);
}

both_backends! {
    one_time_link_sets_a_password_once_and_signs_in => the_one_time_link_sets_a_password_once_and_signs_in;
    security_headers_on_every_page => every_page_carries_the_security_headers;
    pages_need_a_session_cookie => pages_need_a_session;
    csrf_token_required => a_form_without_its_csrf_token_is_refused_and_writes_nothing;
    idle_session_expires => an_idle_session_expires;
    sign_in_limited_per_account => sign_in_attempts_are_limited_per_account;
    zh_and_en => both_languages;
    escaped => user_text_is_escaped;
    refusal_in_plain_words => a_refusal_is_shown_in_plain_words_and_nothing_is_recorded;
    container_page_and_print => the_container_page_opens_by_digital_id_and_prints_at_true_size;
    admin_token_sign_in_and_user_link => an_administrator_signs_in_with_the_api_token_and_creates_a_user;
}
