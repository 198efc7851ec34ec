"""The population of each of the 63 provinces, the size measure the CCCD campaign's figures are
drawn to (``samples.figures.draw_id_cards``): a province's target and daily applications are in
proportion to its people, so Lạng Sơn (about 0.8 million) no longer outdoes Hải Dương (1.9 million).

Source: General Statistics Office of Viet Nam (GSO), Kết quả toàn bộ Tổng điều tra dân số và nhà ở
năm 2019 (the 2019 Population and Housing Census, resident population at 0:00 on 1/4/2019,
complete results published 19/12/2019), by province, in thousands (rounded). The unrounded
figures of the 63 provinces add up to the published national total, 96,208,984. No package the
project installs ships a population figure (vietnamadminunits' dataset.db has names, codes,
coordinates and ward areas; the committed unit lists have units only), hence this table.
Codes are the GSO province codes of the 63-province lists (2020 to June 2025).
"""

from __future__ import annotations

# Thousands of residents on 1/4/2019, by GSO province code.
POPULATION_2019_THOUSANDS = {
    "01": 8054,  # Hà Nội
    "02": 855,  # Hà Giang
    "04": 530,  # Cao Bằng
    "06": 314,  # Bắc Kạn
    "08": 785,  # Tuyên Quang
    "10": 730,  # Lào Cai
    "11": 599,  # Điện Biên
    "12": 460,  # Lai Châu
    "14": 1248,  # Sơn La
    "15": 821,  # Yên Bái
    "17": 854,  # Hoà Bình
    "19": 1287,  # Thái Nguyên
    "20": 782,  # Lạng Sơn
    "22": 1320,  # Quảng Ninh
    "24": 1804,  # Bắc Giang
    "25": 1464,  # Phú Thọ
    "26": 1151,  # Vĩnh Phúc
    "27": 1369,  # Bắc Ninh
    "30": 1892,  # Hải Dương
    "31": 2029,  # Hải Phòng
    "33": 1253,  # Hưng Yên
    "34": 1860,  # Thái Bình
    "35": 853,  # Hà Nam
    "36": 1780,  # Nam Định
    "37": 982,  # Ninh Bình
    "38": 3640,  # Thanh Hóa
    "40": 3328,  # Nghệ An
    "42": 1289,  # Hà Tĩnh
    "44": 895,  # Quảng Bình
    "45": 632,  # Quảng Trị
    "46": 1129,  # Thừa Thiên Huế
    "48": 1134,  # Đà Nẵng
    "49": 1496,  # Quảng Nam
    "51": 1232,  # Quảng Ngãi
    "52": 1487,  # Bình Định
    "54": 873,  # Phú Yên
    "56": 1231,  # Khánh Hòa
    "58": 590,  # Ninh Thuận
    "60": 1231,  # Bình Thuận
    "62": 540,  # Kon Tum
    "64": 1514,  # Gia Lai
    "66": 1869,  # Đắk Lắk
    "67": 622,  # Đắk Nông
    "68": 1297,  # Lâm Đồng
    "70": 995,  # Bình Phước
    "72": 1169,  # Tây Ninh
    "74": 2427,  # Bình Dương
    "75": 3097,  # Đồng Nai
    "77": 1148,  # Bà Rịa - Vũng Tàu
    "79": 8993,  # Hồ Chí Minh
    "80": 1689,  # Long An
    "82": 1764,  # Tiền Giang
    "83": 1288,  # Bến Tre
    "84": 1009,  # Trà Vinh
    "86": 1023,  # Vĩnh Long
    "87": 1600,  # Đồng Tháp
    "89": 1908,  # An Giang
    "91": 1723,  # Kiên Giang
    "92": 1235,  # Cần Thơ
    "93": 733,  # Hậu Giang
    "94": 1200,  # Sóc Trăng
    "95": 907,  # Bạc Liêu
    "96": 1194,  # Cà Mau
}
CENSUS_TOTAL_2019 = 96_208_984


def population() -> dict[str, int]:
    """Residents by province code (the census figure, to the thousand)."""
    return {code: thousands * 1000 for code, thousands in POPULATION_2019_THOUSANDS.items()}
