"""Invented NFA BASIC pages, saved as text, in the shapes analysts keep them: with and without the site's navigation,
each pool, all three pools in one file, deficiencies in parentheses, percentages off by rounding or by more.

Firms, NFA IDs and amounts are made up; the wording follows NFA's FCM financial pages.
"""

from __future__ import annotations

# Segregation, inside the site's menus and footer.
SEG_WITH_NAVIGATION = """\
Home | About NFA | Members | Search
BASIC - Background Affiliation Status Information Center
Futures Commission Merchant Financial Information
Customer Segregated Funds
ACME FUTURES LLC
NFA ID: 0312456
As of 06/30/2017
Total Funds in Segregation$1,000,250
Amount Required to be in Segregation$900,000
Excess/Deficiency Funds in Segregation$100,250
Target Residual Interest$50,000
Percentage of Segregated Funds by Depository
Bank  45.2%
Clearing Organization  30.0%
Other FCMs  24.8%
Percentage of Segregated Funds by Investment
Cash  50.0%
U.S. Treasuries  30.0%
Money Market Funds  20.0%
Privacy Policy | Terms of Use
© 2017 National Futures Association. All rights reserved.
"""

# 30.7 secured, nothing but the summary; the NFA ID on the firm's line; holdings adding up to 99.9.
SECURED_BARE = """\
30.7 Secured Amount
HARBOR FUTURES LLC (NFA ID 0400123)
As of June 30, 2017
Total Funds in Separate Section 30.7 Accounts $ 60,000
Amount Required to be Set Aside in Separate Section 30.7 Accounts $ 50,000
Excess Funds in Separate Section 30.7 Accounts $ 10,000
Percentage of Secured Funds by Depository
Bank33.3%
Clearing Organization33.3%
Other FCMs33.3%
"""

# Cleared swaps with a deficiency in parentheses, percentages adding up to 100.1, navigation and blank lines.
SWAPS_DEFICIENT = """\
Menu
  Log In

Cleared Swaps Customer Funds

OCEAN SWAPS LTD
NFA ID: 0511111
As of 2017-06-30
Total Funds in Cleared Swaps Customer Accounts$75,000
Amount Required to be Segregated for Cleared Swaps Customers$100,000
Excess/Deficiency Funds in Cleared Swaps Customer Accounts$(25,000)
Target Residual Interest($5,000)
Percentage of Cleared Swaps Customer Funds by Depository
Bank 60.1%
Clearing Organization 40.0%
Back to top
"""

# All three pools of one firm in one file, as three pages saved one after the other.
ALL_POOLS = """\
Home | Search
Customer Segregated Funds
GRANITE FUTURES CORP
NFA ID: 0299999
As of 09/30/2017
Total Funds in Segregation$3,000,000
Amount Required to be in Segregation$2,900,000
Excess/Deficiency Funds in Segregation$100,000
Percentage of Segregated Funds by Depository
Bank  100.0%
Home | Search
30.7 Secured Amount
GRANITE FUTURES CORP
NFA ID: 0299999
As of 09/30/2017
Total Funds in Separate Section 30.7 Accounts$500,000
Amount Required to be Set Aside in Separate Section 30.7 Accounts$400,000
Excess Funds in Separate Section 30.7 Accounts$100,000
Target Residual Interest$20,000
Home | Search
Cleared Swaps Customer Funds
GRANITE FUTURES CORP
NFA ID: 0299999
As of 09/30/2017
Total Funds in Cleared Swaps Customer Accounts$0
Amount Required to be Segregated for Cleared Swaps Customers$0
Excess/Deficiency Funds in Cleared Swaps Customer Accounts$0
© 2017 National Futures Association
"""

# Holdings adding up to 97%: read and stored, with a warning naming the line of the first percentage.
SEG_97 = """\
Customer Segregated Funds
MEADOW CAPITAL LLC
NFA ID: 0600001
As of 06/30/2017
Total Funds in Segregation$10
Amount Required to be in Segregation$5
Excess/Deficiency Funds in Segregation$5
Percentage of Segregated Funds by Depository
Bank  50%
Clearing Organization  47%
Percentage of Segregated Funds by Investment
Cash  103.0%
"""

# Damaged: an amount that is not one, and a summary without its requirement.
DAMAGED = """\
Customer Segregated Funds
TINY TRADING LLC
NFA ID: 0700007
As of 06/30/2017
Total Funds in Segregation$1,2x4
Excess/Deficiency Funds in Segregation$5
"""
