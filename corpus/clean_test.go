package corpus

import (
	"reflect"
	"strings"
	"testing"
)

func TestCleanDropsBoilerplate(t *testing.T) {
	// Boilerplate in the style of many sites (not the seed articles).
	boiler := []string{
		"",
		"   ",
		"___",
		"***",
		"---",
		"* * *",
		"•",
		"This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.",
		"This site uses cookies. By continuing to browse the site you are agreeing to our use of cookies.",
		"We use cookies to personalise content and ads.",
		"Accept all cookies",
		"Accept Cookies",
		"By continuing to use this website, you consent to the use of cookies in accordance with our Cookie Policy.",
		"Cookie Policy",
		"Read more",
		"READ MORE",
		"Read more »",
		"► Read more",
		"Read More From The Daily Planet",
		"More from Reuters",
		"Read also: Ceasefire talks stall in Istanbul",
		"Read Also: Kyiv metro reopens after repairs",
		"READ MORE: Five things to know about the grain deal",
		"ALERT: Ten photos that will shock you",
		"WATCH: Drone footage shows the bridge",
		"Related articles",
		"Related Articles",
		"Related Stories",
		"You may like",
		"You May Also Like",
		"Leave a Reply",
		"Leave a reply Cancel reply",
		"Leave a comment",
		"Your email address will not be published. Required fields are marked *",
		"Back to top",
		"Back to top button",
		"Get in touch",
		"Get in touchAt",
		"Share this article",
		"Share this:",
		"Share on Facebook",
		"Sign up for our newsletter",
		"Sign up for the Morning Briefing newsletter to get the news in your inbox.",
		"Subscribe",
		"Subscribe to our daily newsletter",
		"Advertisement",
		"ADVERTISEMENT",
		"Story continues below advertisement",
		"© 2022 Bloomberg L.P Distributed by Tribune Content Agency, LLC",
		"© Daily Planet Media 2023",
		"(c) 2021 Example News Corp.",
		"Copyright 2023 The Associated Press. All rights reserved.",
		"Copyright © 2024 Example Media Group",
		"All rights reserved",
		"All Rights Reserved.",
		"Example Media Ltd 2019. All rights reserved.",
		"Distributed by Tribune Content Agency, LLC.",
		"Follow us on Telegram",
		"Follow our live coverage of the harbour fire",
		"Follow all the latest updates on our live blog",
		"Download our app for breaking news",
		"Get the free Courier app",
		"Reporting by Ana Lima; Editing by Tom Brooks",
		"(Additional reporting by Sam Okoye)",
		"Contact the reporter at jane@example.com",
		"Photo: Reuters",
		"Tags: Ukraine, Russia, Kharkiv",
		"\u00a0Read Also: UN expert urges action\u00a0",
	}
	for _, b := range boiler {
		if got := Clean([]string{b}); len(got) != 0 {
			t.Errorf("Clean kept boilerplate %q", b)
		}
	}
}

func TestCleanKeepsNews(t *testing.T) {
	news := []string{
		"The minister said the treaty was copyrighted in 1954 and never renewed.",
		"Copyright law was amended on Friday, officials said.",
		"“We must read more books and watch less television,” the minister said.",
		"Read more carefully, the judge told the lawyers, and the case would be clear.",
		"The regulator said websites that use cookies to track users must ask first.",
		"We use cookies as bait, the fisherman joked.",
		"More than 30 settlements were reclaimed.",
		"Watchdog groups said the vote was fair.",
		"Subscribers of the state broadcaster lost access on Saturday.",
		"Share prices in Moscow fell 5% on Monday.",
		"All rights reserved by the treaty were returned to Ukraine after talks in Geneva on the future of the region.",
		"Related talks are expected to resume next week.",
		"‘Astonishing’ advance",
		"According to Major General Igor Konashenkov,",
		"Back to top officials, the plan looked sound.",
		"KYIV, Ukraine — Russia’s Defense Ministry announced Saturday that it is pulling back troops.",
		"Advertisements for army contracts appeared across Moscow, residents said.",
		"Follow the money, investigators told the committee on Tuesday, and the scheme becomes clear.",
		"Reporting by local journalists was restricted, the group said.",
		"Contact the reporter's family, police urged witnesses.",
	}
	got := Clean(news)
	if !reflect.DeepEqual(got, news) {
		for _, n := range news {
			found := false
			for _, g := range got {
				found = found || g == n
			}
			if !found {
				t.Errorf("Clean dropped news paragraph %q", n)
			}
		}
	}
}

func TestCleanVerbatimAndOrder(t *testing.T) {
	in := []string{
		"  First paragraph, with  double  spaces.\t",
		"Related Articles",
		"\u00a0Second paragraph.\u00a0",
		"",
		"Third.",
	}
	want := []string{"First paragraph, with  double  spaces.", "Second paragraph.", "Third."}
	if got := Clean(in); !reflect.DeepEqual(got, want) {
		t.Errorf("Clean = %q, want %q", got, want)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("Read more\nThe war goes on.\n© 2022 X\n\n___\nYou may like")
	f.Add("This website uses cookies\n  Real text.  \n\u00a0")
	f.Add("\xff\xfe\n\u200b\ufeff\nALERT: x")
	f.Fuzz(func(t *testing.T, s string) {
		in := strings.Split(s, "\n")
		out := Clean(in)
		// out must be a subsequence of the trimmed input.
		j := 0
		for _, p := range out {
			if p == "" || p != trimPara(p) {
				t.Fatalf("paragraph %q empty or not trimmed", p)
			}
			for j < len(in) && trimPara(in[j]) != p {
				j++
			}
			if j == len(in) {
				t.Fatalf("output %q is not a subsequence of the trimmed input %q", out, in)
			}
			j++
		}
	})
}
