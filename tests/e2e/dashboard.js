// dashboard.js URL OUT GO_FILE — drives the dashboard in headless Chromium
// (playwright-core from C2W_NODE_MODULES, Debian's /usr/bin/chromium) and
// prints "ok ..." / "FAIL ..." lines.
//
// 1. Against the real c2watchd (URL), fed by pace_c2.py: the page comes up
//    with counters and no alert, GO_FILE is created, and the alert rows for
//    the C2 names must then appear, newest first.  Screenshot: dashboard.png.
// 2. The API contract still to come on some daemons, played by the test in
//    front of the same daemon: a bearer token (401 until it is given, the
//    prompt, the header on every request), the alert stream as server-sent
//    events read through fetch(), /api/v1/top, and an unhealthy /healthz.
//    Screenshot: dashboard-contract.png.
// Any console error, uncaught exception or request to another origin fails.
"use strict";
const path = require("path");
const fs = require("fs");
const { chromium } = require(path.join(process.env.C2W_NODE_MODULES, "playwright-core"));

const [URL_, OUT, GO] = process.argv.slice(2);
const ORIGIN = new URL(URL_).origin;
const C2_NAMES = ["backuprabbit.com", "img.web-trackers.com", "web-trackers.com"];
let failed = 0;

function ok(what) { console.log("ok   dashboard: " + what); }
function bad(what) { failed++; console.log("FAIL dashboard: " + what); }
function check(what, cond, detail) { cond ? ok(what) : bad(what + (detail ? ": " + detail : "")); }

// Console errors, page errors and foreign requests; `expected` says which
// failed loads (status and URL path) a scenario causes on purpose.
function watch(page, expected) {
	const errors = [];
	page.on("console", (m) => {
		if (m.type() !== "error")
			return;
		const where = m.location().url || "";
		const status = /status of (\d+)/.exec(m.text());
		const p = where ? new URL(where).pathname : "";
		if (status && expected.some(([s, re]) => String(s) === status[1] && re.test(p)))
			return;
		errors.push(m.text() + (where ? " (" + where + ")" : ""));
	});
	page.on("pageerror", (e) => errors.push("uncaught: " + e.message));
	page.on("request", (r) => {
		if (!r.url().startsWith(ORIGIN + "/") && !r.url().startsWith("data:"))
			errors.push("request to another origin: " + r.url());
	});
	return errors;
}

const rowNames = (page) => page.$$eval("#alert-rows td.name", (tds) => tds.map((td) => td.textContent));
const num = async (page, id) => Number((await page.textContent(id)).replace(/[^0-9.]/g, "")) || 0;

async function realDaemon(browser) {
	const ctx = await browser.newContext({ viewport: { width: 1360, height: 820 } });
	const page = await ctx.newPage();
	// Until the API branch lands, this daemon has no stream and no /top:
	// the page must fall back to polling, and say so.
	const errors = watch(page, [[404, /^\/api\/v1\/(alerts\/stream|top)$/]]);
	const resp = await page.goto(URL_ + "/");
	check("GET / is the page, with a CSP", resp.status() === 200 &&
		/^text\/html/.test(resp.headers()["content-type"]) &&
		/script-src 'sha256-/.test(resp.headers()["content-security-policy"] || ""));
	await page.waitForFunction(() => /[1-9]/.test(document.getElementById("c-packets").textContent),
		null, { timeout: 15000 });
	check("before any C2 name: packets counted, no alert row",
		(await rowNames(page)).length === 0 && (await num(page, "#c-packets")) > 0);
	fs.writeFileSync(GO, "");
	try {
		await page.waitForFunction((names) => {
			const seen = [...document.querySelectorAll("#alert-rows td.name")].map((t) => t.textContent);
			return names.every((n) => seen.includes(n)) && seen.length >= 5;
		}, C2_NAMES, { timeout: 30000 });
		ok("the C2 names appear as alert rows while the page is open: " + C2_NAMES.join(", "));
	} catch (e) {
		bad("alert rows: saw " + JSON.stringify(await rowNames(page)));
	}
	const ids = await page.$$eval("#alert-rows tr", (trs) => trs.map((tr) => Number(tr.dataset.alertId)));
	check("rows newest first, each alert once", JSON.stringify(ids) === "[5,4,3,2,1]", JSON.stringify(ids));
	const sev = await page.$$eval("#alert-rows .sev.high", (s) => s.length);
	check("severity shown and coloured (5 high)", sev === 5, String(sev));
	const flow = await page.textContent("#alert-rows tr:last-child td.flow");
	check("source → destination shown", flow === "198.18.0.2:40001 → 198.18.0.1:53", flow);
	// Counters catch up at the next stats poll.
	await page.waitForFunction(() => document.getElementById("c-alerts").textContent === "5",
		null, { timeout: 10000 }).catch(() => {});
	const counters = {};
	for (const id of ["c-packets", "c-names", "c-alerts", "c-flows"])
		counters[id] = await num(page, "#" + id);
	check("counters non-zero: packets, names, alerts 5, flows", counters["c-packets"] > 1000 &&
		counters["c-names"] >= 5 && counters["c-alerts"] === 5 && counters["c-flows"] > 0,
		JSON.stringify(counters));
	check("rate shown in Mpps", / Mpps$/.test(await page.textContent("#c-rate")));
	check("capture health shown", (await page.textContent("#h-decode")) === "0" &&
		(await page.textContent("#h-drops")) === "0");
	const mode = await page.getAttribute("body", "data-mode");
	check("alerts read by stream, or by polling where the daemon has none", mode === "stream" ||
		mode === "polling", mode);
	check("no unhealthy banner", await page.isHidden("#banner"));
	await page.screenshot({ path: path.join(OUT, "dashboard.png") });
	check("no console error, no request elsewhere", errors.length === 0, errors.join(" | "));
	await ctx.close();
}

// Server-sent events as the API will send them, CRLF line ends, a comment,
// and a name built to be markup: it must be shown as text.
function sse(id, name) {
	const a = { alert_id: id, timestamp: "2026-11-28T03:00:0" + (id % 10) + ".000000+0000",
		event_type: "alert", src_ip: "2001:db8::2", src_port: 5353, dest_ip: "2001:db8::1",
		dest_port: 443, proto: "UDP", app_proto: "quic", quic: { sni: name },
		alert: { signature_id: 2023060101, signature: "Operation Triangulation C2 domain (Kaspersky)",
			severity: 1, severity_name: "high", category: "Known C2 domain", matched: name,
			source: "test" } };
	return ": keep-alive\r\nid: " + id + "\r\nevent: alert\r\ndata: " + JSON.stringify(a) + "\r\n\r\n";
}
const HOSTILE = "<img src=x onerror=alert(1)>.example";

async function contract(browser) {
	const ctx = await browser.newContext({ viewport: { width: 1360, height: 820 } });
	const page = await ctx.newPage();
	const errors = watch(page, [[401, /^\/(api\/|healthz$)/], [503, /^\/healthz$/]]);
	const unauth = [];
	await page.route((u) => u.pathname.startsWith("/api/") || u.pathname === "/healthz", (route) => {
		const req = route.request();
		const p = new URL(req.url()).pathname;
		if (req.headers()["authorization"] !== "Bearer s3cret") {
			unauth.push(p);
			return route.fulfill({ status: 401, contentType: "application/json",
				body: '{"error":{"status":401,"message":"token needed"}}' });
		}
		if (p === "/healthz")
			return route.fulfill({ status: 503, contentType: "application/json",
				body: '{"status":"degraded","reason":"alert log cannot be written: disk full"}' });
		if (p === "/api/v1/alerts/stream")
			return route.fulfill({ status: 200, contentType: "text/event-stream",
				body: sse(1001, "stream-one.backuprabbit.com") + sse(1002, HOSTILE) });
		if (p === "/api/v1/top")
			return route.fulfill({ status: 200, contentType: "application/json",
				body: JSON.stringify({ names: [{ name: "backuprabbit.com", count: 12 },
					{ name: "www.apple.com", count: 7 }], talkers: [{ ip: "198.18.0.2", count: 31 }] }) });
		return route.continue();
	});
	await page.goto(URL_ + "/");
	await page.waitForSelector("#token:not([hidden])", { timeout: 10000 });
	ok("401 from the API: the token prompt is shown");
	await page.fill("#token-input", "s3cret");
	await page.click("#token button");
	try {
		await page.waitForFunction((n) => [...document.querySelectorAll("#alert-rows td.name")]
			.some((t) => t.textContent === n), HOSTILE, { timeout: 15000 });
		ok("with the token: alerts read from the server-sent event stream");
	} catch (e) {
		bad("stream rows: saw " + JSON.stringify(await rowNames(page)));
	}
	await page.waitForTimeout(2500);     // the stream ends and is resumed: no duplicates
	const ids = await page.$$eval("#alert-rows tr", (trs) => trs.map((tr) => Number(tr.dataset.alertId)));
	check("backlog then stream, newest first, each once", JSON.stringify(ids) === "[1002,1001,5,4,3,2,1]",
		JSON.stringify(ids));
	check("mode shown: stream", (await page.getAttribute("body", "data-mode")) === "stream");
	check("a name that looks like markup is shown as text", (await page.$$("#alert-rows img")).length === 0);
	check("the token is kept in sessionStorage",
		(await page.evaluate(() => sessionStorage.getItem("c2watch.token"))) === "s3cret");
	await page.waitForFunction(() => document.querySelectorAll("#top-names li .n").length === 2,
		null, { timeout: 10000 }).catch(() => {});
	check("top names and talkers shown", (await page.textContent("#top-names")).includes("backuprabbit.com") &&
		(await page.textContent("#top-talkers")).includes("198.18.0.2"));
	await page.waitForSelector("#banner:not([hidden])", { timeout: 10000 }).catch(() => {});
	const banner = (await page.textContent("#banner")) || "";
	check("unhealthy /healthz: a banner says why", /unhealthy.*disk full/.test(banner), banner);
	const lateUnauth = unauth.length;
	await page.waitForTimeout(2500);
	check("every request after the prompt carries the token", unauth.length === lateUnauth,
		unauth.slice(lateUnauth).join(" "));
	await page.screenshot({ path: path.join(OUT, "dashboard-contract.png") });
	check("no unexpected console error", errors.length === 0, errors.join(" | "));
	await ctx.close();
}

(async () => {
	const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
		args: ["--no-sandbox", "--disable-dev-shm-usage"] });
	try {
		await realDaemon(browser);
		await contract(browser);
	} catch (e) {
		bad("driver: " + e.message);
	} finally {
		await browser.close();
	}
	process.exit(failed ? 1 : 0);
})();
