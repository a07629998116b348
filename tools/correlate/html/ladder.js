/* pcapcorrelate --html: draws the ladder from the JSON block "ikescope-data"
 * (keys in tools/corr_html_data.c); embedded by scripts/embed-assets.py.
 * Counted by the tests: g.arrow (data-n, data-fate, data-kind), .cross
 * (data-n: losses it stands for, data-t: the first one's time, a's clock
 * from t0; a lost run with "lt" gets one per loss at its own time), text.lbl
 * (kept between the axes, clear of the time columns). Everything from the
 * data goes into the page escaped. */
(function () {
  'use strict';
  var t_start = window.performance.now();
  var D = JSON.parse(document.getElementById('ikescope-data').textContent);
  var G = D.g, A = D.A, N = G.length;
  var LOGS = D.logs[0] || D.logs[1];
  var LANE = LOGS ? 150 : 0;
  var XA = LANE + 105, XB = XA + (LOGS ? 520 : 640), XM = (XA + XB) / 2, W = XB + 105 + LANE;
  var TOP = 14, ALL = 4000; /* up to ALL groups are drawn at once, more as one scrolls */
  var zoom = 1, H = 0, sel = -1;
  var T = new Float64Array(N), Y = new Float64Array(N); /* group starts: time, y */
  var RUN_ROWS = 200; /* a lost run up to this long gets a row per loss */
  var AT = null, AY = null, NA = 0; /* layout anchors: group starts and losses of runs, in time order */
  var Y0 = new Float64Array(N), Y1 = new Float64Array(N);
  var gaps = [];
  var ladder = document.getElementById('ladder');
  var detail = document.getElementById('detail');

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function f1(x) { return Math.round(x * 10) / 10; }
  function clock(t, us) { /* HH:MM:SS.mmm[uuu] UTC of epoch seconds */
    if (t === undefined || t === null) return '-';
    var s = Math.floor(t), f = Math.round((t - s) * 1e6);
    if (f >= 1e6) { s += 1; f -= 1e6; }
    var d = new Date(s * 1000), p = function (n, w) { n = String(n); while (n.length < w) n = '0' + n; return n; };
    var r = p(d.getUTCHours(), 2) + ':' + p(d.getUTCMinutes(), 2) + ':' + p(d.getUTCSeconds(), 2) + '.';
    return r + (us ? p(f, 6) : p(Math.floor(f / 1000), 3));
  }
  function dur(s) {
    if (s >= 100) return Math.round(s) + ' s';
    if (s >= 1) return s.toFixed(2) + ' s';
    if (s >= 0.001) return (s * 1000).toFixed(1) + ' ms';
    return (s * 1e6).toFixed(0) + ' \u00b5s';
  }
  function start(g) { return g.s !== undefined ? g.s : g.r; }
  function pair(v) { return typeof v === 'number' ? [v, v] : v; }
  function own(side, t) { /* a's-clock seconds from t0 to that host's own clock (epoch s) */
    return side === 0 ? D.t0 + t : D.t0 + t + D.off + D.drift * 1e-6 * t;
  }
  function exname(g) { var t = D.X[g.v - 1]; return (t && t[g.x]) || 'exchange ' + g.x; }
  function label(g) {
    var z = pair(g.z), l, cnt = g.n > 1 ? ' \u00d7' + g.n : '';
    if (g.k === 'ike') { /* message IDs as the text report: 0x and 8 hex digits */
      l = exname(g) + (g.v === 2 ? (g.rs ? ' resp' : ' req') : '') + ' mid 0x' + g.m + ',';
      if (g.c > 1) l += ' \u21bb retransmit ' + (g.c - 1) + '/' + (g.cn - 1) + ',';
    } else if (g.k === 'esp' || g.k === 'ah') {
      l = g.k.toUpperCase() + ' ' + g.spi + cnt;
    } else if (g.k === 'keepalive') {
      l = 'NAT-T keepalive' + cnt;
    } else if (g.k === 'icmp-error') {
      l = 'ICMP ' + g.ic.replace(/ \(type.*$/, '') + (g.mtu ? ' mtu ' + g.mtu : '');
    } else {
      l = (g.pn || 'IP') + cnt;
    }
    /* sizes: an IKE message's own length and its IP datagram's, others the IP size */
    if (g.k === 'ike') l += ' ' + g.L + ' B (IP ' + (z[0] === z[1] ? z[0] : z[0] + '-' + z[1]) + ' B)';
    else if (g.k !== 'icmp-error') l += z[0] === z[1] ? ' ' + z[0] + ' B' : ' ' + z[0] + '-' + z[1] + ' B';
    if (has(g, 'F') || has(g, 'P')) l += ' [' + (has(g, 'F') ? g.nf[0] : g.nf[1]) + ' frags' + (has(g, 'F') ? '' : ' in path') + ']';
    if (g.f === 'dropped-icmp') l += ' (dropped)';
    return l;
  }
  function has(g, c) { return g.fl !== undefined && g.fl.indexOf(c) >= 0; }

  /* vertical layout: one step per group start, longer for longer pauses */
  function step(dt) {
    if (dt <= 0) return 20 * zoom;
    return (20 + Math.min(48, 9 * Math.log(1 + dt / 0.0005) / Math.LN10)) * zoom;
  }
  function yAt(t) { /* a's-clock seconds to y, piecewise linear between anchors */
    var lo = 0, hi = NA;
    while (lo < hi) { var m = (lo + hi) >> 1; if (AT[m] <= t) lo = m + 1; else hi = m; }
    var i = lo - 1;
    if (NA === 0) return TOP + 16;
    if (i < 0) return AY[0] - Math.min(16, (AT[0] - t) * 2000) * zoom;
    if (i === NA - 1 || AT[i + 1] === AT[i]) return AY[i] + Math.min(16, (t - AT[i]) * 2000) * zoom;
    return AY[i] + (t - AT[i]) / (AT[i + 1] - AT[i]) * (AY[i + 1] - AY[i]);
  }
  function rowsOf(g) { return g.lt && g.lt.length <= RUN_ROWS; }
  function layout() {
    /* one row per group start, and per loss of a lost run (so that each loss has its
     * own place); a row is longer after a longer pause */
    var y = TOP + 16, prev = null, a = [], i, k;
    gaps = [];
    for (i = 0; i < N; i++) {
      T[i] = start(G[i]);
      a.push([T[i], i]);
      if (rowsOf(G[i])) for (k = 1; k < G[i].lt.length; k++) a.push([G[i].lt[k], -1]);
    }
    if (a.length > N) a.sort(function (p, q) { return p[0] - q[0] || (q[1] >= 0) - (p[1] >= 0); });
    NA = a.length;
    AT = new Float64Array(NA);
    AY = new Float64Array(NA);
    for (k = 0; k < NA; k++) {
      if (prev !== null) {
        var dt = a[k][0] - prev;
        y += step(dt);
        if (dt > 0.5) gaps.push([y - step(dt) / 2, dt]);
      }
      AT[k] = a[k][0];
      AY[k] = y;
      if (a[k][1] >= 0) Y[a[k][1]] = y;
      prev = a[k][0];
    }
    for (i = 0; i < N; i++) {
      var g = G[i], ys = [Y[i]];
      ['s', 'r', 's2', 'r2'].forEach(function (k) { if (g[k] !== undefined) ys.push(yAt(g[k])); });
      Y0[i] = Math.min.apply(null, ys) - 14;
      Y1[i] = Math.max.apply(null, ys) + 14;
    }
    H = y + 50;
  }

  function head(x1, y1, x2, y2) { /* arrowhead triangle at (x2, y2) */
    var a = Math.atan2(y2 - y1, x2 - x1), l = 10, w = 4.5;
    var bx = x2 - l * Math.cos(a), by = y2 - l * Math.sin(a);
    return '<polygon class="hd" points="' + f1(x2) + ',' + f1(y2) + ' ' + f1(bx - w * Math.sin(a)) + ',' +
      f1(by + w * Math.cos(a)) + ' ' + f1(bx + w * Math.sin(a)) + ',' + f1(by - w * Math.cos(a)) + '"/>';
  }
  function line(x1, y1, x2, y2, cls) {
    return '<line class="' + (cls || 'ln') + '" x1="' + f1(x1) + '" y1="' + f1(y1) + '" x2="' + f1(x2) + '" y2="' + f1(y2) + '"/>';
  }
  function cross(x, y, n, cls, t) {
    var r = 6;
    return '<path class="xmark ' + cls + '" data-n="' + n + '"' + (t !== undefined ? ' data-t="' + t + '"' : '') + ' d="M' + f1(x - r) + ' ' + f1(y - r) + 'L' + f1(x + r) + ' ' +
      f1(y + r) + 'M' + f1(x - r) + ' ' + f1(y + r) + 'L' + f1(x + r) + ' ' + f1(y - r) + '"/>';
  }
  function txt(x, y, s, cls, anchor) {
    return '<text class="' + cls + '" x="' + f1(x) + '" y="' + f1(y) + '" text-anchor="' + (anchor || 'middle') + '">' + esc(s) + '</text>';
  }
  function pieces(g) {
    return (g.pf[2] ? 'only the first ' + g.pf[2] + ' bytes arrived' : 'part arrived') + ' (' + g.pf[0] + ' fragment' +
      (g.pf[0] === 1 ? '' : 's') + ')';
  }
  function cut(s, n) { return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  /* Label widths, measured in the label's own font (a canvas: no layout). */
  var meter = document.createElement('canvas').getContext('2d'), LBL_FONT = null;
  function width(s) {
    if (LBL_FONT === null) { /* the font .lbl resolves to in this browser */
      var probe = document.createElement('span');
      probe.className = 'lbl';
      document.body.appendChild(probe);
      var cs = window.getComputedStyle(probe);
      LBL_FONT = cs.fontWeight + ' ' + cs.fontSize + ' ' + cs.fontFamily;
      document.body.removeChild(probe);
    }
    meter.font = LBL_FONT;
    return meter.measureText(s).width;
  }
  /* A label centred near lx, kept between the axes (clear of the time columns
   * outside them); one too long for the space is shortened (the arrow's
   * tooltip and the decode hold all of it). */
  function label_at(g, lx, y, xa, xb) {
    var s = g.lb, w = g.lw, pad = 6, lo = Math.min(xa, xb) + pad, hi = Math.max(xa, xb) - pad;
    if (!s) return '';
    if (w === undefined) w = g.lw = width(s);
    if (w > hi - lo) { /* shorten until it fits */
      var n = Math.floor(s.length * (hi - lo) / w);
      while (n > 4 && width(s.slice(0, n - 1) + '\u2026') > hi - lo) n--;
      s = s.slice(0, n - 1) + '\u2026';
      w = width(s);
    }
    lx = Math.max(lo + w / 2, Math.min(hi - w / 2, lx));
    return txt(lx, y, s, 'lbl');
  }

  /* One group as SVG. root: "arrow" in the ladder, "sample" in the legend
   * (samples are not counted); xa/xb: the two axes; yf: time to y. */
  function draw(i, g, root, xa, xb, yf) {
    var ab = g.d === 0, xs = ab ? xa : xb, xr = ab ? xb : xa, xm = (xa + xb) / 2, dx = ab ? 1 : -1;
    var ys = g.s !== undefined ? yf(g.s) : null, yr = g.r !== undefined ? yf(g.r) : null;
    var cls = root + ' k-' + g.k + ' f-' + g.f + (has(g, 'X') ? ' x-re' : '') + (has(g, 'N') ? ' nat-rw' : '') +
      (has(g, 'F') || has(g, 'P') ? ' frag' : '');
    var o = '<g class="' + cls + '"' + (root === 'arrow' ? ' id="g' + i + '"' : '') + ' data-i="' + i + '" data-n="' + g.n +
      '" data-fate="' + g.f + '" data-kind="' + g.k + '">';
    if (root === 'arrow') o += '<title>' + esc(g.lb + ': ' + (FATE[g.f] || g.f)) + '</title>';
    var x1, y1, x2, y2, tail = '';
    if (g.f === 'arrived' || g.f === 'only-received' || g.f === 'from-path') {
      x1 = g.f === 'arrived' ? xs : xm; y1 = g.f === 'arrived' ? ys : yr - 4;
      x2 = xr; y2 = yr;
      if (g.f === 'only-received') { x1 = xs + dx * 60; tail = txt(x1 - dx * 10, y1 + 4, '?', 'qmark'); }
      if (g.f === 'from-path') tail = '<circle class="router" cx="' + f1(xm) + '" cy="' + f1(y1) + '" r="5"/>';
    } else {
      x1 = xs; y1 = ys; y2 = ys + 6 * zoom;
      x2 = g.f === 'lost' ? xm : g.f === 'dropped-icmp' ? xm - dx * 30 : xs + dx * 0.78 * (xb - xa);
      if (g.f === 'lost' && g.lt) {
        /* a lost run: each loss at its own time (losses closer than 3 px share a cross) */
        var cx = root === 'arrow' ? 'cross' : 'sample-x', cy = [], cn = [], ct = [];
        g.lt.forEach(function (t) {
          var y = yf(t);
          if (cy.length && y - cy[cy.length - 1] < 3) { cn[cn.length - 1]++; return; }
          cy.push(y); cn.push(1); ct.push(t);
        });
        tail = cross(x2, y2, cn[0], cx, ct[0]);
        for (var c = 1; c < cy.length; c++) {
          tail += line(xs, cy[c], x2, cy[c] + 6 * zoom) + cross(x2, cy[c] + 6 * zoom, cn[c], cx, ct[c]);
          if (root === 'arrow') tms.push([g.d, cy[c], own(g.d, ct[c])]);
        }
        if (g.pf) { /* the pieces of the first that did arrive */
          var qy = yf(g.pf[1]) + 9 * zoom;
          tail += '<g class="piece">' + line(xs, ys + 9 * zoom, xr, qy, 'pl') + head(xs, ys + 9 * zoom, xr, qy) + '</g>' +
            txt(xr - dx * 8, qy + 12, pieces(g), 'lbl', ab ? 'end' : 'start');
        }
      } else if (g.f === 'lost') {
        tail = cross(x2, y2, g.n, root === 'arrow' ? 'cross' : 'sample-x', g.s);
        if (g.pf) { /* the pieces that did arrive: a thin arrow of their own, under the lost one */
          var py = yf(g.pf[1]) + 9 * zoom;
          tail += '<g class="piece">' + line(xs, ys + 9 * zoom, xr, py, 'pl') + head(xs, ys + 9 * zoom, xr, py) + '</g>' +
            txt(xr - dx * 8, py + 12, pieces(g), 'lbl', ab ? 'end' : 'start');
        }
      } else if (g.f === 'dropped-icmp') {
        tail = '<line class="stopbar" x1="' + f1(x2) + '" y1="' + f1(y2 - 7) + '" x2="' + f1(x2) + '" y2="' + f1(y2 + 7) + '"/>';
      } else {
        tail = txt(x2 + dx * 10, y2 + 4, '?', 'qmark');
      }
    }
    if (g.n > 1 && g.s2 !== undefined && !(g.f === 'lost' && rowsOf(g))) { /* a run: its last packet, and what lies between (a lost run with a row per loss needs neither) */
      var ys2 = yf(g.s2), arrivedRun = g.r2 !== undefined && g.f === 'arrived';
      var xe = arrivedRun ? xr : x2, ye = arrivedRun ? yf(g.r2) : yf(g.s2) + 6 * zoom;
      if (ys2 - ys <= 60 && (arrivedRun ? ye - yr : ys2 - ys) <= 60) {
        /* short: a band */
        o += '<polygon class="band" points="' + f1(xs) + ',' + f1(ys) + ' ' + f1(xs) + ',' + f1(ys2) + ' ' +
          f1(xe) + ',' + f1(ye) + ' ' + f1(xe) + ',' + f1(arrivedRun ? yr : y2) + '"/>' + line(xs, ys2, xe, ye, 'ln edge');
      } else {
        /* long: a bar along each axis while it lasts, and its last packet faint, so that
         * runs that overlap in time do not cover everything else */
        var bx = xs - dx * 5;
        o += '<rect class="band bar" x="' + f1(Math.min(bx, bx + dx * 4)) + '" y="' + f1(ys) + '" width="4" height="' + f1(ys2 - ys) + '"/>';
        if (arrivedRun) o += '<rect class="band bar" x="' + f1(Math.min(xr + dx, xr + dx * 5)) + '" y="' + f1(yr) + '" width="4" height="' + f1(ye - yr) + '"/>';
        o += line(xs, ys2, xe, ye, 'ln edge faint');
      }
    }
    o += line(x1, y1, x2, y2, 'hit');
    if (has(g, 'F') || has(g, 'P')) { /* fragments: two strokes */
      o += line(x1, y1 - 2, x2, y2 - 2, 'ln frag2') + line(x1, y1 + 2, x2, y2 + 2, 'ln frag2');
    } else {
      o += line(x1, y1, x2, y2);
    }
    if (g.f === 'arrived' || g.f === 'only-received' || g.f === 'from-path') o += head(x1, y1, x2, y2);
    o += tail;
    if (has(g, 'N')) { /* NAT: a diamond where the path rewrote it */
      var nx = x1 + 0.8 * (x2 - x1), ny = y1 + (y2 - y1) * (nx - x1) / ((x2 - x1) || 1);
      o += '<path class="nat" d="M' + f1(nx) + ' ' + f1(ny - 6) + 'L' + f1(nx + 6) + ' ' + f1(ny) + 'L' + f1(nx) + ' ' +
        f1(ny + 6) + 'L' + f1(nx - 6) + ' ' + f1(ny) + 'Z"/>';
    }
    if (has(g, 'M')) o += '<circle class="mod" cx="' + f1(x1 + 0.2 * (x2 - x1)) + '" cy="' + f1((y1 + y2) / 2) + '" r="5"/>';
    var lx = g.f === 'from-path' ? (xm + xr) / 2 : (x1 + x2) / 2;
    o += label_at(g, lx, Math.min(y1, y2) - 4, xa, xb);
    if (root === 'arrow') {
      if (g.s !== undefined) tms.push([g.d, ys, own(g.d, g.s)]);
      if (g.r !== undefined) tms.push([1 - g.d, yr, own(1 - g.d, g.r)]);
      if (g.lg) {
        var la = ab ? 0 : 1;
        [0, 1].forEach(function (e) {
          var l = g.lg[e], side = e === 0 ? la : 1 - la, y = e === 0 ? ys : yr;
          if (!l || y === null) return;
          var x = side === 0 ? 6 : W - LANE + 6;
          /* "file:line time": the lane says line and time, the tooltip all of it */
          var m = /^(.*):(\d+) (.*)$/.exec(l), short = m ? 'line ' + m[2] + ' ' + m[3] : l;
          o += '<text class="lane" x="' + x + '" y="' + f1(y + 3.5) + '"><title>' + esc(l) + '</title>' +
            esc(cut(short, 26)) + '</text>';
        });
      }
    }
    return o + '</g>';
  }

  var drawn = [-1, -1], tms = [];
  function timeLabels() { /* each axis's own clock; labels closer than 11 px to the last are left out */
    var o = '';
    [0, 1].forEach(function (side) {
      var l = tms.filter(function (x) { return x[0] === side; }).sort(function (p, q) { return p[1] - q[1]; }), last = -1e9;
      l.forEach(function (x) {
        if (x[1] - last < 11) return;
        last = x[1];
        o += txt(side === 0 ? XA - 8 : XB + 8, x[1] + 3.5, clock(x[2], 1), 'tm', side === 0 ? 'end' : 'start');
      });
    });
    tms = [];
    return o;
  }
  function render(force) {
    var wrapTop = ladder.getBoundingClientRect().top + window.scrollY;
    var v0 = window.scrollY - wrapTop - 2500, v1 = window.scrollY - wrapTop + window.innerHeight + 2500;
    if (N <= ALL) { v0 = -Infinity; v1 = Infinity; }
    v1 = Math.max(v1, 3000); /* the top of the ladder at least, wherever the page is */
    if (!force && drawn[0] !== -1 && v0 >= drawn[0] && v1 <= drawn[1]) return;
    var o = ['<svg xmlns="http://www.w3.org/2000/svg" class="ladder" width="' + W + '" height="' + f1(H) + '" data-groups="' + N + '">'];
    o.push(line(XA, 0, XA, H, 'axis'), line(XB, 0, XB, H, 'axis'));
    if (LOGS) o.push(line(LANE, 0, LANE, H, 'lane-line'), line(W - LANE, 0, W - LANE, H, 'lane-line'));
    gaps.forEach(function (gp) {
      var y = gp[0];
      if (y < v0 || y > v1) return;
      o.push('<g class="gap">' + line(XA, y, XB, y, '') + txt(XA + 8, y - 3, '\u22ef ' + dur(gp[1]) + ' later', '', 'start') + '</g>');
    });
    var cnt = 0;
    tms = [];
    for (var i = 0; i < N; i++) {
      if (Y1[i] < v0 || Y0[i] > v1) continue;
      o.push(draw(i, G[i], 'arrow', XA, XB, yAt));
      cnt++;
    }
    o.push(timeLabels(), '</svg>');
    ladder.innerHTML = o.join('');
    ladder.firstChild.setAttribute('data-drawn', cnt);
    drawn = [v0 + 1200, v1 - 1200];
    if (sel >= 0) mark(sel);
  }

  function mark(i) {
    var old = ladder.querySelectorAll('.arrow.sel');
    for (var k = 0; k < old.length; k++) old[k].classList.remove('sel');
    var e = document.getElementById('g' + i);
    if (e) e.classList.add('sel');
  }

  function row(t, k, v, c) {
    var tr = document.createElement('tr'), a = document.createElement('td'), b = document.createElement('td');
    a.textContent = k;
    b.textContent = v;
    if (c) b.className = c;
    tr.appendChild(a);
    tr.appendChild(b);
    t.appendChild(tr);
  }
  function ep(g, e) { /* "src:port \u2192 dst:port" as capture e (0 sender, 1 receiver) shows it */
    var a = g.a, o = e * 4;
    if (!a || a[o] === null) return null;
    var n = function (x) { return typeof x === 'number' ? A[x] : x; };
    return n(a[o]) + (a[o + 1] ? ':' + a[o + 1] : '') + ' \u2192 ' + n(a[o + 2]) + (a[o + 3] ? ':' + a[o + 3] : '');
  }
  var FATE = { 'arrived': 'arrived', 'lost': 'LOST in the path', 'dropped-icmp': 'dropped; a router sent an ICMP error',
    'not-covered': 'sent while the other capture was not running (not judged)',
    'only-received': 'arrived; the sender\'s capture does not show it', 'from-path': 'ICMP error from a router in the path' };

  function show(i) {
    var g = G[i], ab = g.d === 0, snd = ab ? 'a' : 'b', rcv = ab ? 'b' : 'a';
    detail.textContent = '';
    var h = document.createElement('h3');
    h.textContent = g.lb;
    detail.appendChild(h);
    var t = document.createElement('table');
    row(t, 'direction', g.k === 'icmp-error' ? 'router \u2192 ' + rcv : snd + ' \u2192 ' + rcv);
    row(t, 'fate', FATE[g.f] || g.f, g.f === 'lost' || g.f === 'dropped-icmp' ? 'fate-bad' : '');
    if (g.k === 'ike') {
      row(t, 'exchange', exname(g) + ' (IKEv' + g.v + ')' + (g.v === 2 ? (g.rs ? ', response' : ', request') : ''));
      row(t, 'message ID', '0x' + g.m);
      row(t, 'initiator SPI', g.i);
      row(t, 'responder SPI', g.j);
      row(t, 'IKE length', g.L + ' bytes');
      if (g.cn) row(t, 'copy', g.c + ' of ' + g.cn + (g.c > 1 ? ' (a retransmit)' : ''));
    }
    if (g.spi) { row(t, 'SPI', '0x' + g.spi); row(t, 'sequence', g.q[0] === g.q[1] ? String(g.q[0]) : g.q[0] + ' \u2013 ' + g.q[1]); }
    if (g.ic) { row(t, 'ICMP', g.ic + (g.mtu ? ', next-hop MTU ' + g.mtu : '')); row(t, 'quotes IP ID', '0x' + g.qid.toString(16)); }
    row(t, 'packets', g.n + (g.by ? ' (' + g.by + ' bytes)' : ''));
    var z = pair(g.z), fs = pair(g.fs), fr = pair(g.fr);
    row(t, 'IP size', z[0] === z[1] ? z[0] + ' bytes' : z[0] + ' \u2013 ' + z[1] + ' bytes');
    row(t, 'IP ID', '0x' + g.id.toString(16) + (g.n > 1 ? ' (first)' : ''));
    if (has(g, 'F') || has(g, 'P')) row(t, 'fragments', g.nf[0] + ' sent, ' + g.nf[1] + ' arrived' + (has(g, 'P') ? ' (fragmented in the path)' : ''));
    if (g.pf) row(t, 'at ' + rcv, pieces(g) + '; the datagram never completed', 'fate-bad');
    if (g.s !== undefined) row(t, 'sent (' + snd + '\'s clock)', clock(own(g.d, g.s), 1) + '  frame ' + fs[0] + (fs[1] !== fs[0] ? '\u2013' + fs[1] : '') + ' of ' + snd);
    if (g.r !== undefined) row(t, 'received (' + rcv + '\'s clock)', clock(own(1 - g.d, g.r), 1) + '  frame ' + fr[0] + (fr[1] !== fr[0] ? '\u2013' + fr[1] : '') + ' of ' + rcv);
    if (g.s !== undefined && g.r !== undefined) row(t, 'one-way delay', dur(g.r - g.s) + ' (common clock)');
    var e0 = ep(g, 0), e1 = ep(g, 1);
    if (e0) row(t, 'at ' + snd, e0);
    if (e1) row(t, 'at ' + rcv, e1, e0 && e0 !== e1 ? 'nat' : '');
    if (has(g, 'N')) row(t, 'NAT', 'addresses/ports rewritten in the path', 'nat');
    if (has(g, 'M')) row(t, 'modified', 'arrived with different bytes', 'fate-bad');
    if (g.lg) {
      if (g.lg[0]) row(t, snd + '\'s log', g.lg[0]);
      if (g.lg[1]) row(t, rcv + '\'s log', g.lg[1]);
      if (!g.lg[0] && !g.lg[1]) row(t, 'logs', 'not in the logs given');
    }
    detail.appendChild(t);
    if (g.fd) {
      var p = document.createElement('p'), ul = document.createElement('ul');
      p.textContent = 'Findings about it:';
      g.fd.forEach(function (k) {
        var li = document.getElementById('f' + k), x = document.createElement('li'), a = document.createElement('a');
        a.href = '#f' + k;
        a.className = 'tofinding';
        a.textContent = li ? li.querySelector('.kind').textContent + ': ' + (li.querySelector('a.goto') || li).textContent.replace(/^\s*\S+\s+\S+\s+/, '') : 'finding ' + k;
        x.appendChild(a);
        ul.appendChild(x);
      });
      detail.appendChild(p);
      detail.appendChild(ul);
    }
  }

  function select(i, scroll) {
    if (i < 0 || i >= N) return;
    sel = i;
    if (scroll) {
      var wrapTop = ladder.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, Math.max(0, wrapTop + Y[i] - window.innerHeight * 0.4));
      render(false);
    }
    mark(i);
    show(i);
  }

  function legend() { /* a small two-axis sample of each kind of arrow, text beside it */
    var S = [
      [{ d: 0, k: 'ike', f: 'arrived', n: 1, s: 0, r: 0, lb: '' }, 'IKE message (blue), sent at a, arrived at b'],
      [{ d: 0, k: 'ike', f: 'lost', n: 1, s: 0, lb: '' }, '\u2715 lost in the path: never arrived'],
      [{ d: 0, k: 'ike', f: 'arrived', n: 1, s: 0, r: 0, fl: 'X', lb: '' }, 'dashed orange: retransmitted copy (\u21bb n/m)'],
      [{ d: 0, k: 'ike', f: 'arrived', n: 1, s: 0, r: 0, fl: 'F', lb: '' }, 'double line: sent in IP fragments'],
      [{ d: 0, k: 'esp', f: 'arrived', n: 500, s: 0, s2: 0.006, r: 0, r2: 0.006, lb: '' }, 'green band: ESP run of one SPI (\u00d7 packets)'],
      [{ d: 1, k: 'icmp-error', f: 'from-path', n: 1, r: 0, lb: '' }, 'purple dots from \u25cb: ICMP error from a router'],
      [{ d: 0, k: 'esp', f: 'dropped-icmp', n: 1, s: 0, lb: '' }, 'purple bar: dropped, router answered (ICMP)'],
      [{ d: 0, k: 'ike', f: 'arrived', n: 1, s: 0, r: 0, fl: 'N', lb: '' }, '\u25c6 NAT: address/port rewritten on the way'],
      [{ d: 0, k: 'esp', f: 'not-covered', n: 1, s: 0, lb: '' }, 'grey ?: other capture not running (not judged)']
    ];
    var cols = 3, cw = 400, rh = 30, aw = 110, o = '';
    S.forEach(function (s, c) {
      var xa = 8 + (c % cols) * cw, xb = xa + aw, yy = 16 + Math.floor(c / cols) * rh;
      o += line(xa, yy - 12, xa, yy + 12, 'axis') + line(xb, yy - 12, xb, yy + 12, 'axis');
      o += draw(-1, s[0], 'sample', xa, xb, function (t) { return yy - 3 + t * 1500; });
      o += txt(xb + 10, yy + 4, s[1], 'lbl', 'start');
    });
    document.getElementById('legend').innerHTML = '<svg xmlns="http://www.w3.org/2000/svg" width="' + (cols * cw) +
      '" height="' + (Math.ceil(S.length / cols) * rh + 8) + '">' + o + '</svg>';
  }

  function setZoom(z) {
    var keep = sel >= 0 ? sel : -1, wrapTop = ladder.getBoundingClientRect().top + window.scrollY;
    var yc = window.scrollY + window.innerHeight / 2 - wrapTop, tc = null;
    if (keep < 0) { for (var i = 0; i < N; i++) if (Y[i] >= yc) { tc = i; break; } }
    zoom = Math.max(0.25, Math.min(8, z));
    layout();
    document.getElementById('zoom-level').textContent = Math.round(zoom * 100) + '%';
    var j = keep >= 0 ? keep : tc;
    if (j !== null && j >= 0) window.scrollTo(0, Math.max(0, wrapTop + Y[j] - window.innerHeight * (keep >= 0 ? 0.4 : 0.5)));
    render(true);
  }

  document.getElementById('axes-head').style.width = W + 'px';
  if (LOGS) { /* headings of the log lanes */
    [0, 1].forEach(function (side) {
      var d = document.createElement('div');
      d.className = 'lane-name';
      d.style.left = (side === 0 ? 6 : W - LANE + 6) + 'px';
      d.textContent = D.logs[side] ? (side === 0 ? 'a' : 'b') + '\'s IKE log' : 'no log for ' + (side === 0 ? 'a' : 'b');
      document.getElementById('axes-head').appendChild(d);
    });
  }
  var names = document.querySelectorAll('.axis-name');
  names[0].style.left = XA + 'px';
  names[1].style.left = XB + 'px';
  for (var gi = 0; gi < N; gi++) G[gi].lb = label(G[gi]);
  legend();
  layout();
  render(true);
  document.getElementById('zoom-level').textContent = '100%';
  ladder.addEventListener('click', function (ev) {
    var e = ev.target.closest('.arrow');
    if (e) select(+e.getAttribute('data-i'), false);
  });
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest('a.goto');
    if (a) {
      ev.preventDefault();
      select(+a.getAttribute('data-g'), true);
      return;
    }
    /* from the decode or a verdict's evidence to a finding, maybe in a folded list */
    a = ev.target.closest('a.tofinding, a.evidence');
    if (!a) return;
    ev.preventDefault();
    toFinding(a.getAttribute('href').slice(1), a.classList.contains('evidence'));
  });
  /* Show finding "fN": unfold, scroll to it, highlight it; from a verdict, its
   * arrow is selected too (the decode shows it, the ladder marks it). */
  function toFinding(id, andArrow) {
    var li = document.getElementById(id), d = li && li.closest('details');
    if (!li || !li.classList.contains('finding')) return;
    if (d) d.open = true;
    li.scrollIntoView({ block: 'center' });
    var old = document.querySelectorAll('li.finding.flash');
    for (var k = 0; k < old.length; k++) old[k].classList.remove('flash');
    li.classList.add('flash');
    setTimeout(function () { li.classList.remove('flash'); }, 2500);
    var gi = +li.getAttribute('data-g');
    if (andArrow && gi >= 0) select(gi, false);
  }
  document.getElementById('zoom-in').onclick = function () { setZoom(zoom * 1.5); };
  document.getElementById('zoom-out').onclick = function () { setZoom(zoom / 1.5); };
  document.getElementById('zoom-reset').onclick = function () { setZoom(1); };
  document.addEventListener('keydown', function (ev) {
    if (ev.target.tagName === 'INPUT') return;
    if (ev.key === '+' || ev.key === '=') setZoom(zoom * 1.5);
    else if (ev.key === '-') setZoom(zoom / 1.5);
    else if (ev.key === '0') setZoom(1);
  });
  var pending = false;
  window.addEventListener('scroll', function () {
    if (N <= ALL || pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; render(false); });
  });
  document.body.setAttribute('data-draw-ms', Math.round(window.performance.now() - t_start));
  var m = /^#g(\d+)$/.exec(window.location.hash);
  if (m) select(+m[1], true);
  m = /^#(f\d+)$/.exec(window.location.hash);
  if (m) toFinding(m[1], true);
})();
