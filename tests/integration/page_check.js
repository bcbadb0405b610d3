// page_check.js - open a page headless Chromium renders and check it as a
// reader would see it: at 1280 and 390 px wide, light and dark.
//
//   node page_check.js URL SHOTS_PREFIX MIN_CHARTS [ALLOWED_ORIGIN] [COOKIE]
//
// Checks, for each width and colour scheme: no console error and no page
// error; no request leaves the page (only file:, data: and ALLOWED_ORIGIN,
// e.g. the agent's own http://127.0.0.1:PORT); at least MIN_CHARTS charts,
// each with drawn marks (lines, areas or dots) and a <title>; nothing wider
// than the window (no horizontal scroll of the page); every chart text
// inside its chart; tick labels and legend entries not overlapping. Saves
// SHOTS_PREFIX-{1280,390}-{light,dark}.png and SHOTS_PREFIX-print.png.
// With ALLOWED_ORIGIN it also waits for the page to refresh itself once
// (an element with data-refreshed > 0) and checks it kept its charts.
// Prints one line per finding and "ok WIDTH SCHEME: ..." lines; exits 1 on
// any finding.
//
// Driven by puppeteer-core against Debian's chromium: never a browser of
// puppeteer's own (nothing is downloaded).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const moduleDir = process.env.HR_NODE_MODULES;
const puppeteer = require(moduleDir ? path.join(moduleDir, 'puppeteer-core') : 'puppeteer-core');

const [url, shots, minChartsArg, allowedOrigin, cookie] = process.argv.slice(2);
if (!url || !shots || !minChartsArg) {
	console.error('usage: node page_check.js URL SHOTS_PREFIX MIN_CHARTS [ALLOWED_ORIGIN] [COOKIE]');
	process.exit(2);
}
const minCharts = Number(minChartsArg);

// What the page looks like to the checks, computed inside the page.
function inspect() {
	const out = {problems: [], charts: 0, marks: []};
	const vw = window.innerWidth;
	if (document.documentElement.scrollWidth > vw + 1)
		out.problems.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${vw}px window`);
	const rects = (els) => els.map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
	const overlap = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
	for (const svg of document.querySelectorAll('svg.hr-chart')) {
		if (svg.getBoundingClientRect().width === 0)
			continue; // the variant for the other width, hidden by the page's CSS
		out.charts++;
		const name = (svg.querySelector('title') || {}).textContent || '(no title)';
		if (!svg.querySelector('title') || svg.getAttribute('role') !== 'img')
			out.problems.push(`${name}: no role="img" with a <title>`);
		const marks = svg.querySelectorAll('path.hr-line:not(.hr-legend *), path.hr-area, circle.hr-pt').length;
		out.marks.push(marks);
		if (marks === 0)
			out.problems.push(`${name}: no marks drawn`);
		const box = svg.getBoundingClientRect();
		if (box.right > vw + 1)
			out.problems.push(`${name}: the chart overflows the window (${box.right} > ${vw})`);
		for (const t of svg.querySelectorAll('text')) {
			const r = t.getBoundingClientRect();
			if (r.width === 0)
				continue;
			if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
				out.problems.push(`${name}: text '${t.textContent}' sticks out of the chart`);
		}
		// labels of one axis, and legend entries, must not run into each other
		const groups = [svg.querySelectorAll('.hr-ticks text'), svg.querySelectorAll('.hr-legend text')];
		for (const g of groups) {
			const rs = rects([...g]);
			for (let i = 0; i < rs.length; i++)
				for (let j = i + 1; j < rs.length; j++)
					if (overlap(rs[i], rs[j]))
						out.problems.push(`${name}: labels '${g[i].textContent}' and '${g[j].textContent}' overlap`);
		}
		// the font a reader sees: at least 7.5 px once the chart is scaled down
		const tick = svg.querySelector('.hr-ticks text');
		if (tick) {
			const h = tick.getBoundingClientRect().height;
			if (h > 0 && h < 7.5)
				out.problems.push(`${name}: tick labels are ${h.toFixed(1)}px high, too small to read`);
		}
	}
	// text outside the charts must not stick out of the window either
	for (const e of document.querySelectorAll('h1,h2,h3,p,li,nav')) {
		const r = e.getBoundingClientRect();
		if (r.right > vw + 1)
			out.problems.push(`<${e.tagName.toLowerCase()}> '${e.textContent.slice(0, 40)}' runs past the window`);
	}
	// a table may scroll inside its box, but the box must fit
	for (const e of document.querySelectorAll('.tw')) {
		const r = e.getBoundingClientRect();
		if (r.right > vw + 1)
			out.problems.push(`a table box runs past the window (${r.right} > ${vw})`);
	}
	const refreshed = document.querySelector('[data-refreshed]');
	out.refreshed = refreshed ? Number(refreshed.getAttribute('data-refreshed')) : -1;
	return out;
}

async function main() {
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hr-chromium-'));
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		headless: true,
		userDataDir,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--no-first-run', '--disable-sync', '--hide-scrollbars',
			'--font-render-hinting=none'],
	});
	let failed = false;
	const fail = (msg) => {
		failed = true;
		console.log(`FAIL ${msg}`);
	};
	try {
		const variants = [[1280, 'light'], [1280, 'dark'], [390, 'light'], [390, 'dark'], [1280, 'print']];
		for (const [width, scheme] of variants) {
			const page = await browser.newPage();
			const tag = `${width} ${scheme}`;
			page.on('console', (m) => {
				if (m.type() === 'error')
					fail(`${tag}: console error: ${m.text()}`);
			});
			page.on('pageerror', (e) => fail(`${tag}: page error: ${e.message}`));
			await page.setRequestInterception(true);
			page.on('request', (req) => {
				const u = req.url();
				if (u.startsWith('file:') || u.startsWith('data:') || (allowedOrigin && u.startsWith(allowedOrigin + '/'))) {
					req.continue();
				} else {
					fail(`${tag}: the page asked for ${u}`);
					req.abort();
				}
			});
			await page.setViewport({width, height: width === 390 ? 844 : 900, deviceScaleFactor: 1});
			if (scheme === 'print') {
				await page.emulateMediaType('print');
				await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'light'}]);
			} else {
				await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: scheme}]);
			}
			if (cookie) {
				const [name, value] = cookie.split('=');
				await page.setCookie({name, value, url: allowedOrigin});
			}
			const resp = await page.goto(url, {waitUntil: 'load', timeout: 30000});
			if (resp && !resp.ok() && !url.startsWith('file:'))
				fail(`${tag}: HTTP ${resp.status()} for ${url}`);
			let r = await page.evaluate(inspect);
			if (allowedOrigin && scheme === 'light' && width === 1280) {
				// the page refreshes itself: wait for it, then look again
				try {
					await page.waitForFunction(
						() => Number((document.querySelector('[data-refreshed]') || {getAttribute: () => 0}).getAttribute('data-refreshed')) > 0,
						{timeout: 20000});
					r = await page.evaluate(inspect);
					console.log(`ok ${tag}: refreshed itself ${r.refreshed} time(s) without a reload`);
				} catch (e) {
					fail(`${tag}: the page did not refresh itself within 20 s`);
				}
			}
			if (r.charts < minCharts)
				fail(`${tag}: ${r.charts} charts, expected at least ${minCharts}`);
			for (const p of r.problems)
				fail(`${tag}: ${p}`);
			const file = `${shots}-${width === 1280 && scheme === 'print' ? 'print' : `${width}-${scheme}`}.png`;
			await page.screenshot({path: file, fullPage: true});
			console.log(`ok ${tag}: ${r.charts} charts, marks ${r.marks.join('/')}, ${r.problems.length} problems, ${file}`);
			await page.close();
		}
	} finally {
		await browser.close();
		fs.rmSync(userDataDir, {recursive: true, force: true});
	}
	process.exit(failed ? 1 : 0);
}

main().catch((e) => {
	console.log(`FAIL ${e && e.stack ? e.stack : e}`);
	process.exit(1);
});
