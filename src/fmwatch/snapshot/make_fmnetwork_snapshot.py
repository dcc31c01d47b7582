"""Writes the offline Fibromyalgia Network snapshot (run from src/fmwatch/snapshot/fmnetwork).

A WordPress site of the 2012 generation, in its markup, with articles the fmwatch team wrote
in its own words about real studies: robots.txt, an RSS feed of two pages, a core sitemap,
six article pages and one WP-Print view. The REST API is off (no entry: it answers 404).
"""

import html
import json
from datetime import datetime

SITE = "http://fmnetnews.iraherman.com"

ARTICLES = [
    dict(slug="magnesium-and-stress-in-fibromyalgia", published="2022-06-14T09:10:00", modified="2022-06-20T16:02:00",
         title="Does Magnesium Calm Stress in Fibromyalgia?", categories=["2022", "Latest News", "Therapies"],
         tags=["magnesium", "stress"], comments=7,
         paragraphs=[
             "Stress and pain feed each other in fibromyalgia, and a French team wanted to know whether a "
             "month of magnesium could break the cycle.",
             "A study headed up by Nicolas Macian, M.D., of France, gave adults with fibromyalgia either a "
             "magnesium chloride tablet formula (100 mg of magnesium once a day) or a look-alike placebo for "
             "one month. Neither the patients nor the doctors knew who took what.",
             "On the main measure, a stress questionnaire, the two groups ended up in the same place. But "
             "patients whose stress was mild to moderate did better on magnesium, and their pain eased more "
             "than on placebo.",
             "The dose was small and the trial short, so the authors call for a bigger study before anyone "
             "rewrites the treatment guides.",
         ],
         reference="* Macian N, et al. Nutrients [epub ahead of print] May 17, 2022."),
    dict(slug="magnesium-citrate-eases-tender-points", published="2012-02-07T10:05:00", modified="2012-02-07T10:05:00",
         title="Magnesium Citrate Eases Tender Points", categories=["2012", "Latest News", "Therapies"],
         tags=["magnesium", "amitriptyline"], comments=23,
         paragraphs=[
             "Can an inexpensive mineral supplement make a dent in fibromyalgia tenderness? A Turkish clinic "
             "put magnesium citrate to the test.",
             "Women with fibromyalgia took 300 mg of magnesium citrate each evening, a low 10 mg dose of "
             "amitriptyline, or both, for two months. Their magnesium levels were also compared with those "
             "of healthy women of the same age.",
             "The patients started out with less magnesium in their blood than the healthy women. Magnesium "
             "alone reduced tender points and improved daily function, and the pairing with amitriptyline "
             "helped on nearly every measure.",
             "Stomach upset was the only complaint, and it was minor.",
         ],
         reference="* Bagis S, et al. Rheumatol Int 2013;33(1):167-72."),
    dict(slug="magnesium-spray-for-fibromyalgia", published="2015-10-02T14:45:00", modified="2015-10-05T08:00:00",
         title="A Magnesium Spray for Fibromyalgia?", categories=["2015", "Latest News", "Therapies"],
         tags=["magnesium", "topical"], comments=31,
         paragraphs=[
             "Swallowing magnesium can upset the stomach, so researchers at a large Midwestern clinic tried "
             "putting it on the skin instead.",
             "Forty women with fibromyalgia sprayed a magnesium chloride solution on their arms and legs twice "
             "a day for four weeks. There was no placebo group.",
             "Among the 24 who finished, scores on the revised Fibromyalgia Impact Questionnaire improved by "
             "the second week and stayed better. Some women quit because the spray irritated their skin.",
         ],
         reference="* Engen DJ, et al. J Integr Med 2015;13(5):306-13."),
    dict(slug="hair-minerals-in-fibromyalgia", published="2011-10-20T11:00:00", modified="2011-10-20T11:00:00",
         title="Hair Tells a Mineral Story", categories=["2011", "Latest News", "Research"],
         tags=["minerals", "magnesium"], comments=4,
         paragraphs=[
             "A strand of hair keeps a record of the minerals your body has handled over several months.",
             "Korean researchers compared hair samples from women with fibromyalgia and healthy women. The "
             "women with fibromyalgia had less calcium, magnesium, iron and manganese in their hair.",
             "Whether low minerals are a cause or a consequence of the illness is not yet known.",
         ],
         reference="* Kim YS, et al. J Korean Med Sci 2011;26(10):1253-7."),
    dict(slug="malic-acid-and-magnesium-revisited", published="2012-03-15T08:30:00", modified="2012-03-15T08:30:00",
         title="Malic Acid and Magnesium, Revisited", categories=["2012", "Treatment Studies"],
         tags=["magnesium", "malic acid"], comments=12,
         paragraphs=[
             "Readers still ask about Super Malic, a tablet that pairs malic acid with magnesium.",
             "The only placebo-controlled test was a small crossover pilot study from Texas. At three tablets "
             "twice a day for four weeks, the tablets did no better than placebo. When patients later took "
             "higher doses, openly, for six months, their pain and tenderness improved.",
             "An open-label phase cannot rule out the placebo effect, so the question is still open.",
         ],
         reference="* Russell IJ, et al. J Rheumatol 1995;22(5):953-8."),
    dict(slug="pacing-exercise-on-bad-days", published="2012-01-10T07:15:00", modified="2012-01-12T09:00:00",
         title="Pacing Exercise on Bad Days", categories=["2012", "Self-Help"],
         tags=["exercise", "pacing"], comments=0,
         paragraphs=[
             "Exercise helps fibromyalgia, but overdoing it on a good day can cost you the next three.",
             "Set a baseline you can manage even on a bad day, and raise it by a few minutes each week. "
             "Warm water walking and gentle stretching are kind places to start.",
         ],
         reference=None),
]
PRINT_OF = "magnesium-citrate-eases-tender-points"


def url(article):
    return f"{SITE}/latest-news/{article['slug']}"


def human(stamp):
    when = datetime.fromisoformat(stamp)
    return when.strftime("%B %-d, %Y @ %-I:%M ") + when.strftime("%p").lower()


def page(article):
    cats = ", ".join(f'<a href="{SITE}/category/{c.lower().replace(" ", "-")}/" rel="category tag">{html.escape(c)}</a>'
                     for c in article["categories"])
    tags = ", ".join(f'<a href="{SITE}/tag/{t.replace(" ", "-")}/" rel="tag">{html.escape(t)}</a>' for t in article["tags"])
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in article["paragraphs"])
    if article["reference"]:
        body += f"\n<p><small>{html.escape(article['reference'])}</small></p>"
    comments = f"{article['comments']} Comments" if article["comments"] else "Leave a comment"
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8" />
<title>{html.escape(article['title'])} | Fibromyalgia Network</title>
<link rel="canonical" href="{url(article)}" />
<link rel="alternate" type="application/rss+xml" title="Fibromyalgia Network &raquo; Feed" href="{SITE}/feed/" />
<meta name="generator" content="WordPress 3.3.1" />
<script type="text/javascript">var _gaq = _gaq || [];</script>
</head>
<body class="single single-post single-format-standard">
<div id="page" class="hfeed">
<header id="branding" role="banner"><hgroup><h1 id="site-title"><a href="{SITE}/">Fibromyalgia Network</a></h1></hgroup>
<nav id="access" role="navigation"><ul class="menu"><li><a href="{SITE}/">Home</a></li><li><a href="{SITE}/category/latest-news/">Latest News</a></li><li><a href="{SITE}/category/therapies/">Therapies</a></li></ul></nav>
</header>
<div id="main"><div id="primary"><div id="content" role="main">
<nav id="nav-single"><span class="nav-previous"><a href="{SITE}/" rel="prev">Previous</a></span></nav>
<article id="post-{sum(map(ord, article['slug']))}" class="post type-post status-publish format-standard hentry">
<header class="entry-header">
<h1 class="entry-title">{html.escape(article['title'])}</h1>
<div class="entry-meta"><span class="sep">Posted on </span><a href="{url(article)}" rel="bookmark"><time class="entry-date" datetime="{article['published']}+00:00" pubdate>{datetime.fromisoformat(article['published']).strftime('%B %-d, %Y')}</time></a><time class="updated" datetime="{article['modified']}+00:00"></time><span class="by-author"> <span class="sep"> by </span> <span class="author vcard"><a class="url fn n" href="{SITE}/author/joshua/" title="View all posts by joshua@fmnetnews" rel="author">joshua@fmnetnews</a></span></span></div>
</header>
<div class="entry-content">
{body}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social"><h3 class="sd-title">Share this:</h3><ul><li><a class="share-facebook" href="#">Facebook</a></li><li><a class="share-twitter" href="#">Twitter</a></li></ul></div></div>
</div>
<footer class="entry-meta">This entry was posted in {cats} and tagged {tags}. <span class="comments-link"><a href="{url(article)}#comments">{comments}</a></span></footer>
</article>
<div id="comments"><h2 id="comments-title">Discussion</h2><ol class="commentlist"><li class="comment"><p>A reader's comment that is not part of the article.</p></li></ol>
<div id="respond"><form action="{SITE}/wp-comments-post.php" method="post"><textarea name="comment"></textarea></form></div></div>
</div></div></div>
<footer id="colophon" role="contentinfo"><p>All information on this site is copyrighted by Fibromyalgia Network.</p></footer>
</div>
</body>
</html>
"""


def print_view(article):
    paragraphs = "\n\n".join(article["paragraphs"] + ([article["reference"]] if article["reference"] else []))
    return (f"- Fibromyalgia Network - {SITE} -\n\n{article['title']}\n\n"
            f"Posted By joshua@fmnetnews On {human(article['published'])} In {','.join(article['categories'])} | "
            f"{article['comments']} Comments\n\n{paragraphs}\n\nArticle printed from Fibromyalgia Network: {SITE}\n\n"
            f"URL to article: {url(article)}\n\nAll information on this site is copyrighted by Fibromyalgia Network.\n")


def rss(items, page_number):
    entries = "".join(f"""
<item><title>{html.escape(a['title'])}</title><link>{url(a)}</link>
<comments>{url(a)}#comments</comments>
<pubDate>{datetime.fromisoformat(a['published']).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>
<dc:creator>joshua@fmnetnews</dc:creator>{''.join(f'<category><![CDATA[{c}]]></category>' for c in a['categories'])}
<guid isPermaLink="false">{SITE}/?p={page_number}{a['slug'][:4]}</guid>
<description><![CDATA[{html.escape(a['paragraphs'][0])}]]></description></item>""" for a in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Fibromyalgia Network</title><atom:link href="{SITE}/feed/" rel="self" type="application/rss+xml" />
<link>{SITE}</link><description>News for people with fibromyalgia</description>
<lastBuildDate>Tue, 14 Jun 2022 09:10:00 +0000</lastBuildDate><language>en</language><generator>http://wordpress.org/?v=3.3.1</generator>{entries}
</channel></rss>
"""


def main():
    newest_first = sorted(ARTICLES, key=lambda a: a["published"], reverse=True)
    index = [
        {"path": "robots.txt", "file": "robots.txt", "headers": {"Content-Type": "text/plain"}},
        {"path": "feed/", "params": {"paged": "2"}, "file": "feed-2.xml",
         "headers": {"Content-Type": "application/rss+xml; charset=UTF-8"}},
        {"path": "feed/", "params_absent": ["paged"], "file": "feed-1.xml",
         "headers": {"Content-Type": "application/rss+xml; charset=UTF-8"}},
        {"path": "wp-sitemap.xml", "file": "wp-sitemap.xml", "headers": {"Content-Type": "application/xml"}},
        {"path": "wp-sitemap-posts-post-1.xml", "file": "wp-sitemap-posts-post-1.xml",
         "headers": {"Content-Type": "application/xml"}},
    ]
    open("robots.txt", "w").write("User-agent: *\nDisallow: /wp-admin/\nDisallow: /wp-login.php\n\n"
                                  f"Sitemap: {SITE}/wp-sitemap.xml\n")
    open("feed-1.xml", "w").write(rss(newest_first[:3], 1))
    open("feed-2.xml", "w").write(rss(newest_first[3:], 2))
    open("wp-sitemap.xml", "w").write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f'<sitemap><loc>{SITE}/wp-sitemap-posts-post-1.xml</loc></sitemap>'
        f'<sitemap><loc>{SITE}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap></sitemapindex>\n')
    open("wp-sitemap-posts-post-1.xml", "w").write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>{url(a)}</loc><lastmod>{a['modified']}+00:00</lastmod></url>" for a in newest_first)
        + "</urlset>\n")
    for article in ARTICLES:
        name = f"article-{article['slug']}.html"
        open(name, "w").write(page(article))
        index.append({"path": f"latest-news/{article['slug']}", "file": name,
                      "headers": {"Content-Type": "text/html; charset=UTF-8",
                                  "ETag": f'"{article["slug"][:12]}-{article["modified"][:10]}"',
                                  "Last-Modified": datetime.fromisoformat(article["modified"]).strftime(
                                      "%a, %d %b %Y %H:%M:%S GMT")}})
    printed = next(a for a in ARTICLES if a["slug"] == PRINT_OF)
    open(f"print-{PRINT_OF}.txt", "w").write(print_view(printed))
    index.append({"path": f"latest-news/{PRINT_OF}/print/", "file": f"print-{PRINT_OF}.txt",
                  "headers": {"Content-Type": "text/plain; charset=UTF-8"}})
    json.dump(index, open("index.json", "w"), indent=1)


if __name__ == "__main__":
    main()
