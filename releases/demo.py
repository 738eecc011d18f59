"""Demo content: ImmunoGen's Exhibit 99.1 of January 24, 2003 (an SEC filing, public record).

Kept in the project so that `load_demo` never reads anything outside it.
"""

from typing import Any

COMPANY = {
    "legal_name": "ImmunoGen, Inc.",
    "short_name": "ImmunoGen",
    "address_lines": "128 Sidney Street\nCambridge, MA 02139-4239",
    "telephone": "(617) 995-2500",
    "fax": "(617) 995-2510",
    "website": "",
    "exchange": "Nasdaq",
    "ticker": "IMGN",
}

CONTACTS = [
    {
        "name": "Carol Hausner",
        "title": "Senior Director, Investor Relations and Corporate Communications",
        "organization": "",
        "telephone": "(617) 995-2500",
        "email": "info@immunogen.com",
        "audience": "investors",
    },
    {
        "name": "Pete Holmberg",
        "title": "",
        "organization": "Rx Communications Group, LLC",
        "telephone": "(917) 322-2164",
        "email": "pholmberg@rxir.com",
        "audience": "media",
    },
]

ABOUT = {
    "name": "About ImmunoGen",
    "heading": "ABOUT IMMUNOGEN, INC.",
    "text": (
        "<p>ImmunoGen, Inc. develops targeted anticancer biopharmaceuticals. The Company's TAP "
        "technology uses tumor-targeting antibodies to deliver a highly potent, cell-killing "
        "agent specifically to cancer cells. Two ImmunoGen-developed TAP products have begun "
        "clinical evaluation: cantuzumab mertansine and huN901-DM1 (BB-10901); the latter is "
        "licensed to British Biotech in certain territories. ImmunoGen helps fund its programs "
        "by licensing its TAP technology to other companies. Several companies are developing "
        "TAP products that use ImmunoGen's TAP technology with the partner's antibody: "
        "Boehringer Ingelheim (bivatuzumab mertansine), Millennium (MLN2704), and Genentech "
        "(Trastuzumab-DM1). ImmunoGen also has multitarget agreements with Genentech, Abgenix, "
        "and Millennium.</p>"
    ),
}

SAFE_HARBOR = {
    "name": "Forward-looking statements (PSLRA)",
    "heading": "FOR IMMUNOGEN, INC.",
    "text": (
        "<p>This press release includes forward-looking statements based on management's "
        "current expectations. For these statements, ImmunoGen claims the protection of the "
        "safe harbor for forward-looking statements provided by the Private Securities "
        "Litigation Reform Act of 1995. Various factors could cause the Company's actual "
        "results to differ materially from those discussed or implied in the forward-looking "
        "statements and you are cautioned not to place undue reliance on these forward-looking "
        "statements, which are current only as of the date of this release. Factors that could "
        "cause future results to differ materially from such expectations include, but are not "
        "limited to: the success of the Company's research and clinical development processes; "
        "the difficulties inherent in the development of pharmaceuticals, including "
        "uncertainties as to the timing, expense and results of preclinical studies and "
        "clinical trials; the Company's dependence upon existing and potential collaborative "
        "partners; uncertainty as to whether the Company's potential products or those of the "
        "Company's collaborators will succeed in entering human clinical trials and uncertainty "
        "as to the results of such trials; the risk that the Company and/or its collaborators "
        "may not be able to obtain regulatory approvals necessary to commercialize their "
        "product candidates; the potential development by competitors of competing products "
        "and technologies; uncertainty whether the Company's TAP technology will produce safe, "
        "effective and commercially viable products; and other factors more fully described in "
        "ImmunoGen's Annual Report on Form 10-K for the fiscal year ended June 30, 2002 and "
        "other current reports filed with the Securities and Exchange Commission.</p>"
    ),
}

CATEGORIES = [("Corporate", "corporate"), ("Clinical development", "clinical-development")]

# Release fields (texts) plus its categories (a list of slugs).
RELEASE: dict[str, Any] = {
    "exhibit_label": "EXHIBIT 99.1",
    # The demo 8-K it was furnished with (filings/demo.py): its page then says "Filed as
    # Exhibit 99.1 to Form 8-K, accession …" (docs/reports.md).
    "filing_url": "https://www.sec.gov/Archives/edgar/data/855654/999999999903000001/"
    "9999999999-03-000001-index.htm",
    "headline": (
        "ImmunoGen, Inc. Regains Development and Commercialization Rights for Cantuzumab Mertansine"
    ),
    "slug": "immunogen-regains-rights-cantuzumab-mertansine",
    "dateline_city": "CAMBRIDGE, MA",
    # The exhibit gives the date only; 08:00 local is when such releases crossed the wire.
    "published_at": "2003-01-24T08:00:00",
    "categories": ["corporate", "clinical-development"],
    "body": "".join(
        f"<p>{paragraph}</p>"
        for paragraph in [
            "ImmunoGen, Inc. (Nasdaq: IMGN) today announced that the Company has regained the "
            "development and commercialization rights for cantuzumab mertansine (huC242-DM1), "
            "an anticancer product candidate. In 1999, the Company licensed these rights to "
            "SmithKline Beecham, which later became GlaxoSmithKline. Cantuzumab mertansine has "
            "been studied in Phase I clinical trials and found to be well tolerated. Initial "
            "evidence of biological activity also has been reported.",
            "ImmunoGen previously announced that GlaxoSmithKline had notified the Company that "
            "advancement of cantuzumab mertansine into Phase II studies was dependent on "
            "renegotiation of the product license agreement. Since then, the companies have "
            "been in negotiations.",
            "Mitchel Sayare, Ph.D., ImmunoGen Chairman and CEO, commented, &ldquo;We've "
            "determined that it is not in the best interests of ImmunoGen to enter into a "
            "revised agreement with GlaxoSmithKline. ImmunoGen has regained all rights that "
            "were licensed to GlaxoSmithKline. We're excited about the prospects of licensing "
            "cantuzumab mertansine to a new marketing partner that would initiate a broad "
            "Phase II program for this important product candidate.&rdquo;",
            "No payments were made by either company for the return of the product rights to "
            "ImmunoGen. ImmunoGen holds the Investigational New Drug application (IND) for "
            "cantuzumab mertansine and has rights to all clinical data generated in the Phase "
            "I studies. The two companies will work together to ensure a smooth transition of "
            "all study data.",
            "Cantuzumab mertansine is a Tumor-Activated Prodrug (TAP) compound developed by "
            "ImmunoGen. It is composed of the humanized antibody huC242 and the cytotoxic agent "
            "DM1. The huC242 antibody binds specifically to the CanAg antigen present in a "
            "number of cancers including colorectal, pancreatic, and gastric cancers as well as "
            "certain non-small-cell lung cancers. Cantuzumab mertansine is designed to deliver "
            "the highly potent cell-killing agent DM1 specifically to cancer cells using the "
            "huC242 antibody as a targeting vehicle.",
        ]
    ),
}
