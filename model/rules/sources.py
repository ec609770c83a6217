"""Citations for every number in the presets.

Each ``SRC_*`` string is either ``"labour_history.json: <json path> — <url>"``
(the shared validation data set, with the page the figure comes from) or
``"assumption: …"`` where the data set has no figure. `model.rules.presets`
files them under the field paths they cover (``RuleSet.sources``).
"""


def _cite(json_path: str, url: str, note: str = "", *, file: str = "labour_history.json") -> str:
    text = f"{file}: {json_path} — {url}"
    return f"{text} ({note})" if note else text


SRC_2016_WINDOW = _cite(
    "registered_and_affiliated_supporters.2016.window",
    "https://inews.co.uk/news/politics/labour-rules-left-48-hour-window-join-183000-got-14978",
    "48 hours: 5pm Mon 18 Jul to 5pm Wed 20 Jul 2016",
    file="labour_politics.json",
)
SRC_2020_WINDOW = _cite(
    "registered_and_affiliated_supporters.2020.window",
    "https://celebritiesmajor.com/?p=20918",
    "5pm Tue 14 Jan to 5pm Thu 16 Jan 2020: 48 hours",
    file="labour_politics.json",
)


_URL_2010 = "https://en.wikipedia.org/wiki/2010_Labour_Party_leadership_election_(UK)"
_URL_2016_DM = "https://www.dailymail.co.uk/wires/pa/article-3698044/All-male-contest-Labour-leadership-Eagle-pulls-Smith.html"
_URL_2020 = "https://worddisk.com/wiki/2020_Labour_Party_leadership_election_(UK)/"
_URL_2020_RESULT = (
    "https://labourlist.org/2020/04/keir-starmer-elected-to-succeed-jeremy-corbyn-as-labour-leader/"
)
_URL_NOMINATION_RULES = "https://docslib.org/doc/4127911/labours-leadership-nomination-rules"

SRC_2010_SYSTEM = _cite(
    "leadership_elections.2010.system",
    "https://www.theguardian.com/politics/2010/sep/25/labour-leadership-result-ed-miliband",
    "three sections, each 1/3; people could vote in several sections",
)
SRC_2010_THRESHOLD = _cite(
    "leadership_elections.2010.nomination_threshold.rule",
    _URL_2010,
    "12.5% of Commons members of the PLP (vacancy); 20% when no vacancy",
)
SRC_2010_FREEZE = (
    "assumption: no freeze — members who joined after the May 2010 election could vote; "
    "derived from "
    + _cite(
        "membership.intra_year_points[0]",
        "http://www.syniadau.cymru/2010/09/labours-electoral-system.html",
        "177,559 eligible in September included ~32,000 who joined after the election",
    )
)
SRC_COLLINS = _cite(
    "rule_changes.2014_collins_review.content",
    "http://blogs.independent.co.uk/2014/02/04/collins-report-on-labour-rule-changes-instant-reaction/",
    "OMOV with registered and affiliated supporters; ends multiple voting",
)
SRC_COLLINS_FEE = _cite(
    "rule_changes.2014_collins_review.registered_supporter_fee_gbp",
    "https://en.wikipedia.org/wiki/2015_Labour_Party_leadership_election_(UK)",
)
SRC_COLLINS_THRESHOLD = (
    _cite("rule_changes.2014_collins_review.plp_threshold_after", _URL_NOMINATION_RULES, "15%")
    + "; "
    + _cite(
        "leadership_elections.2015.nomination_threshold.rule",
        _URL_NOMINATION_RULES,
        "15% of the PLP (Commons): 35 of 232",
    )
)
SRC_CHALLENGE_UNCHANGED = (
    "assumption: the 20% challenge threshold was not changed by the Collins review; "
    + _cite("leadership_elections.2010.nomination_threshold.rule", _URL_2010, "20% when no vacancy")
    + "; "
    + _cite(
        "leadership_elections.2016.nomination_threshold.challenger_rule",
        _URL_2016_DM,
        "20% of PLP+EPLP in 2016",
    )
)
SRC_2015_FREEZE = (
    "assumption: no freeze — people could join and register until the August 2015 cut-off, after nominations closed; "
    + _cite(
        "leadership_elections.2015.electorate_pre_verification_12Aug2015",
        "https://www.bbc.co.uk/news/uk-politics-33892407",
        "electorate registered by 12 Aug 2015",
    )
)
SRC_EPLP_2015 = _cite(
    "rule_changes.2015_conference",
    "http://www.progressonline.org.uk/2016/08/23/credibility-threshold/",
    "nomination rights extended to MEPs at the 2015 conference",
)
SRC_2016_VACANCY = (
    "assumption: the Collins 15% applied to MPs and MEPs after the 2015 conference; "
    + _cite("rule_changes.2014_collins_review.plp_threshold_after", _URL_NOMINATION_RULES, "15%")
    + "; "
    + SRC_EPLP_2015
)
SRC_2016_CHALLENGE = _cite(
    "leadership_elections.2016.nomination_threshold.challenger_rule",
    _URL_2016_DM,
    "20% of PLP+EPLP when no vacancy; 51 needed. Assumption: base 232 MPs (as elected in "
    "2015) + 20 MEPs (2014 European election, not in the data) = 252 → 51",
)
SRC_2016_NEC = _cite(
    "rule_changes.2016_nec_decisions",
    "https://www.buzzfeed.com/jamesball/heres-who-gets-a-vote-in-labours-leadership-election",
    "incumbent automatically on ballot; registered supporter fee £25; freeze date 12 Jan 2016",
)
SRC_2016_FREEZE = (
    "derived: freeze date 12 Jan 2016 to a contest opened in July 2016 = 6 months; "
    + SRC_2016_NEC
    + "; "
    + _cite(
        "leadership_elections.2016.system",
        "https://serauk.wordpress.com/labour-leadership-2016/",
        "members joined on/before 12 Jan 2016; supporter window 18-20 Jul 2016",
    )
    + "; assumption: the contest opened in July 2016"
)
SRC_2016_INCUMBENT = _cite(
    "leadership_elections.2016.nomination_threshold.incumbent",
    "https://en.wikipedia.org/wiki/2016_Labour_Party_leadership_election_(UK)",
)
SRC_2017_VACANCY = _cite(
    "rule_changes.2017_conference_mcdonnell_amendment",
    "http://www.morningstaronline.co.uk/a-803e-Labour-Boosts-Party-Democracy",
    "PLP+EPLP vacancy threshold cut from 15% to 10%",
)
SRC_2018_ROUTES = _cite(
    "rule_changes.2018_conference_democracy_review.leadership",
    "https://www.politicshome.com/news/uk/political-parties/labour-party/news/98473/momentum-attacks-labour-rulebook-changes-after",
    "10% of PLP+EPLP plus 5% of CLPs or 3 affiliates incl. 2 unions with ≥5% of affiliated membership",
)
SRC_ROUTES_NOT_IN_CHALLENGE = (
    "assumption: the supplementary routes apply to a vacancy only; a challenger needs the "
    "challenge threshold alone (the data records the routes for the 2020 vacancy only)"
)
SRC_CHALLENGE_KEPT = "assumption: the 20% challenge threshold of 2016 was unchanged; " + _cite(
    "leadership_elections.2016.nomination_threshold.challenger_rule",
    _URL_2016_DM,
    "20% of PLP+EPLP",
)
SRC_FEE_KEPT = (
    "assumption: the £25 fee set in 2016 was kept (later fees are not in the data); " + SRC_2016_NEC
)
SRC_FREEZE_KEPT = (
    "assumption: six months as in 2016 (the NEC sets a freeze date for each contest); "
    + SRC_2016_NEC
)
SRC_INCUMBENT_KEPT = "assumption: the 2016 NEC ruling stands; " + SRC_2016_INCUMBENT
SRC_INCUMBENT_BEFORE_2016 = (
    "assumption: before the 2016 NEC ruling the incumbent was not on the ballot automatically "
    "(the rulebook was silent; the point was disputed in 2016); " + SRC_2016_INCUMBENT
)
SRC_2020_STAGE1 = _cite(
    "leadership_elections.2020.nomination_threshold.stage1",
    _URL_2020,
    "10% of PLP+EPLP = 22; assumption: 202 MPs + 10 MEPs (2019 European election, not in "
    "the data) = 212 → 22",
)
SRC_2020_STAGE2 = _cite(
    "leadership_elections.2020.nomination_threshold.stage2",
    _URL_2020,
    "5% of CLPs (33) or 3 affiliates incl. 2 unions with ≥5% of affiliated membership",
)
SRC_2020_FEE = (
    "assumption: £25, the fee set in 2016 (the 2020 fee is not in the data); "
    + SRC_2016_NEC
    + "; registered supporters voted in 2020: "
    + _cite(
        "leadership_elections.2020.electorate_and_turnout.registered_supporters",
        _URL_2020_RESULT,
    )
)
SRC_2020_FREEZE = (
    _cite(
        "membership.intra_year_points[19]",
        _URL_2020_RESULT,
        "552,835 eligible members, joined by 20 Jan 2020",
    )
    + "; assumption: the contest opened in early January 2020, so no months of membership "
    "were needed"
)
SRC_2020_CUTOFF = (
    "derived: members who joined by 20 Jan 2020 voted, "
    + _cite(
        "membership.intra_year_points[19]",
        _URL_2020_RESULT,
        "552,835 eligible members, joined by 20 Jan 2020",
    )
    + "; the joining it cut off began after the 12 Dec 2019 defeat, "
    + _cite(
        "membership_flows.events[8]",
        "https://www.newsgroove.co.uk/labour-membership-surges-by-100000-as-leadership-race-deadline-looms-tonight/",
        "to the 20 Jan 2020 freeze",
        file="labour_politics.json",
    )
    + "; assumption: those five weeks are one month of the model's joining after the "
    "contest opens in January (in 2015 people could join for about three months, from "
    "May to the 12 Aug cut-off: as long as the model's contest lasts, so no cut-off)"
)
SRC_2021 = _cite(
    "rule_changes.2021_conference_starmer_reforms.content",
    "https://www.bbc.co.uk/news/business-58699946",
    "20% of MPs (40 on then numbers); registered supporters scrapped",
)
SRC_2021_NO_MEPS = (
    "assumption: no MEPs after the UK left the EU on 31 Jan 2020; the 2021 rule counts MPs: "
    + SRC_2021
)
SRC_2021_ROUTES = (
    "assumption: the 2018 CLP and affiliate routes were kept in 2021 (the data records no "
    "change to them); " + SRC_2018_ROUTES
)
SRC_2021_FREEZE = (
    "assumption: six months' membership to vote (not in the data for leadership contests); "
    "the 2021 trigger round used six months: "
    + _cite(
        "trigger_ballots_and_reselection.rule_2021.eligibility_2021_round",
        "https://optimismofthewill.com/2021/12/12/a-guide-to-trigger-ballots/",
    )
)
SRC_2021_CHALLENGE = (
    "assumption: 20% of MPs for a challenger, the same as for a vacancy after 2021; " + SRC_2021
)
SRC_TRIGGER_PRE_2018 = _cite(
    "trigger_ballots_and_reselection.rule_pre_2018",
    "https://www.newstatesman.com/politics/2019/09/diana-johnsons-trigger-ballot-will-unnerve-labour-mps",
    "MP reselected only with a majority (>50%) of combined branch and affiliate nominations",
)
SRC_TRIGGER_2018 = _cite(
    "trigger_ballots_and_reselection.rule_2018.rule",
    "https://labourlist.org/2019/07/momentum-launch-drive-for-open-selections-across-the-country",
    "≥1/3 of party branches OR ≥1/3 of affiliated branches",
)
SRC_TRIGGER_2021 = _cite(
    "trigger_ballots_and_reselection.rule_2021.rule",
    "https://labourlist.org/2022/07/shadow-minister-and-labour-mp-sam-tarry-to-face-full-selection-process/",
    ">50% of a college weighted half branches, half affiliates",
)
SRC_OPEN_SELECTION = _cite(
    "trigger_ballots_and_reselection.momentum_and_left_proposals.open_selection",
    "https://www.politicshome.com/news/article/blow-for-momentum-as-jeremy-corbyn-sides-with-unions-to-block-open-selection-of-mps",
    "sought by Momentum and the left; blocked in Sept 2018",
)
SRC_SUPERMAJORITY = (
    "assumption: 75% is this proposal's default, not a recorded proposal; the data has "
    + _cite(
        "trigger_ballots_and_reselection.momentum_and_left_proposals.delegate_poll",
        "https://www.theredrobin.scot/three_quarters_of_labour_delegates_back_open_selections",
        "77% of delegates polled backed open selection",
    )
    + " and "
    + _cite(
        "trigger_ballots_and_reselection.momentum_and_left_proposals.two_thirds_threshold",
        "https://www.theredrobin.scot/three_quarters_of_labour_delegates_back_open_selections",
        "Momentum earlier backed a two-thirds threshold",
    )
)
SRC_CONFERENCE_WEIGHTS = _cite(
    "conference_and_affiliates.conference_voting_weights",
    "https://labourlist.org/2021/10/every-rule-change-at-labour-conference-2021-what-it-means-and-how-it-passed/",
    "card votes weighted 50% CLPs / 50% affiliates",
)
SRC_CONFERENCE_MAJORITY = (
    "assumption: a simple majority of the weighted card vote passes a rule change; consistent "
    "with "
    + _cite(
        "rule_changes.2021_conference_starmer_reforms.conference_vote_pct",
        "https://precoinnews.com/?p=139845",
        "the 2021 package passed with 53.67%",
    )
)
SRC_COLLEGE_THIRDS_2021 = (
    "assumption: thirds (MPs, members, affiliates) as in the 2010 college — "
    + SRC_2010_SYSTEM
    + "; the proposal itself: "
    + _cite(
        "rule_changes.2021_conference_starmer_reforms.content",
        "https://www.bbc.co.uk/news/business-58699946",
        "a return to an electoral college was proposed and abandoned before conference",
    )
)
_URL_NEC_COMPOSITION = "https://es.scribd.com/document/385045401/4-National-Executive-Committee"
SRC_NEC_CLP_2016 = _cite(
    "momentum_and_factions.nec_clp_section_results[0]",
    "https://labourlist.org/2016/08/clean-sweep-for-pro-corbyn-left-wingers-in-nec-elections/",
    "6 CLP seats elected by FPTP (each member votes for up to six)",
)
SRC_NEC_CLP_2018 = (
    _cite(
        "momentum_and_factions.nec_clp_section_results[1]",
        "https://inews.co.uk/news/politics/labour-nec-results-in-full-jeremy-corbyn-backed-slate-wins-all-nine-places-as-peter-willsman-is-re-elected-193413",
        "9 CLP seats, FPTP",
    )
    + "; "
    + _cite(
        "rule_changes.2017_conference_mcdonnell_amendment",
        "http://www.morningstaronline.co.uk/a-803e-Labour-Boosts-Party-Democracy",
        "3 extra CLP seats on the NEC (2017 conference)",
    )
)
SRC_NEC_STV = _cite(
    "rule_changes.2020_nec",
    "https://labourlist.org/2020/11/labour-national-executive-committee-election-results-released/",
    "CLP section elected by STV from 2020",
)
_SRC_NEC_DEAL = _cite(
    "conference_and_nec_rule_votes.2017_conference.mcdonnell_amendment_deal",
    "https://newsocialist.org.uk/labours-nec-deal-paving-the-way-for-change",
    "union NEC seats 12 -> 13 (new seat to Usdaw)",
    file="labour_politics.json",
)
SRC_NEC_UNIONS_2010 = "derived: 12 trade-union seats before 2017, the number the deal raised; " + (
    _SRC_NEC_DEAL
)
SRC_NEC_UNIONS_2018 = "13 trade-union seats after the 2017 deal; " + _SRC_NEC_DEAL
SRC_NEC_OTHER = (
    "assumption: the other sections as listed in the 2018 Democracy Review (leader, deputy, "
    "treasurer, 3 frontbench, 3 backbench PLP/EPLP, the EPLP leader, socialist societies 1, "
    "BAME 1, local government 2, youth 1; Scotland and Wales 1 each from 2016) — "
    + _URL_NEC_COMPOSITION
)
SRC_NEC_2021_OTHER = (
    "assumption: no EPLP seat after the UK left the EU (31 Jan 2020); a disabled members' "
    "representative elected alongside the CLP section by 2024 "
    "(https://labourlist.org/2024/01/labour-nec-election-candidates-results-national-executive-committee); "
    "otherwise as in 2018 — " + _URL_NEC_COMPOSITION
)
