//! Figure and table export: PNG and SVG drawn with plotters, CSV, and the PHI guard.
use image::RgbImage;
use medssl::figures::{
    series_colour, ColourBar, CurveFigure, Format, MapFigure, Marker, MarkerShape, PhiGuard, Series, Table,
};
use medssl::io::Metadata;
use std::path::Path;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn count(img: &RgbImage, colour: [u8; 3]) -> usize {
    img.pixels().filter(|p| p.0 == colour).count()
}

fn hex(colour: [u8; 3]) -> String {
    format!("#{:02X}{:02X}{:02X}", colour[0], colour[1], colour[2])
}

fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG must be well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(|t| t.trim().to_string())
        .collect()
}

fn two_runs() -> CurveFigure {
    let decay = |scale: f64| (0..50).map(|i| [i as f64, scale * (-(i as f64) / 15.0).exp()]).collect();
    let mut figure = CurveFigure::new(
        "step",
        "loss",
        vec![
            Series { name: "simclr-run".into(), points: decay(4.0) },
            Series { name: "byol <fast> & \"wide\"".into(), points: decay(2.0) },
        ],
    );
    figure.title = Some("Pretext loss".into());
    figure.size = (640, 400);
    figure
}

#[test]
fn curves_png_has_the_asked_size_and_each_series_colour() {
    let dir = tempdir();
    let path = dir.path().join("loss.png");
    two_runs().save(&path, &PhiGuard::default()).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert_eq!(img.dimensions(), (640, 400));
    assert!(count(&img, series_colour(0)) > 200, "the first line is missing");
    assert!(count(&img, series_colour(1)) > 200, "the second line is missing");
    assert_eq!(count(&img, series_colour(2)), 0, "only two series were drawn");
    let dark_in_title_band = (0..img.width())
        .flat_map(|x| (0..40).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y).0[0] < 100);
    assert!(dark_in_title_band.count() > 30, "the title text is missing");
    assert!(!dir.path().join("loss.png.partial").exists(), "the temporary file must be renamed away");
}

#[test]
fn curves_svg_is_xml_with_title_labels_escaped_names_and_coloured_lines() {
    let dir = tempdir();
    let path = dir.path().join("loss.svg");
    two_runs().save(&path, &PhiGuard::default()).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert_eq!((root.attribute("width"), root.attribute("height")), (Some("640"), Some("400")));
    let texts = svg_texts(&svg);
    for expected in ["Pretext loss", "step", "loss", "simclr-run", "byol <fast> & \"wide\""] {
        assert!(texts.iter().any(|t| t == expected), "no text {expected:?} in {texts:?}");
    }
    for i in 0..2 {
        let stroke = hex(series_colour(i));
        assert!(
            doc.descendants()
                .any(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some(stroke.as_str())),
            "no line in {stroke}"
        );
    }
}

#[test]
fn curves_refuse_nothing_to_draw_and_too_small_a_size() {
    let dir = tempdir();
    let path = dir.path().join("c.png");
    let nan = Series { name: "diverged".into(), points: vec![[0.0, f64::NAN], [1.0, f64::INFINITY]] };
    let err = CurveFigure::new("x", "y", vec![nan]).save(&path, &PhiGuard::default()).unwrap_err();
    assert!(err.to_string().contains("no finite point"), "{err}");
    let mut small = two_runs();
    small.size = (50, 400);
    assert!(small.save(&path, &PhiGuard::default()).is_err());
    assert!(!path.exists());
}

#[test]
fn format_comes_from_the_extension() {
    assert_eq!(Format::from_path(Path::new("a/b.PNG")).unwrap(), Format::Png);
    assert_eq!(Format::from_path(Path::new("b.svg")).unwrap(), Format::Svg);
    for bad in ["b.jpg", "b", "b.png.txt"] {
        let err = Format::from_path(Path::new(bad)).unwrap_err();
        assert!(err.to_string().contains(".png or .svg"), "{err}");
    }
}

const MAP_W: u32 = 32;
const MAP_H: u32 = 24;
const ZOOM: u32 = 4;
const MARKER: [u8; 3] = [255, 0, 255];

/// Every pixel a colour of its own, none of them a colour bar or marker colour.
fn map_pixel(x: u32, y: u32) -> [u8; 3] {
    [(x * 8) as u8, (y * 10) as u8, 77]
}

fn colormap(t: f64) -> [u8; 3] {
    [(t * 255.0).round() as u8, 200, (255.0 - t * 255.0).round() as u8]
}

fn anchor_map(rgb: &[u8]) -> MapFigure<'_> {
    let mut map = MapFigure::new(MAP_W, MAP_H, rgb);
    map.zoom = ZOOM;
    map.title = Some("Similarity to the anchor".into());
    map.colour_bar = Some(ColourBar::from_fn(-1.0, 1.0, colormap));
    map.markers = vec![Marker { x: 20.0, y: 6.0, shape: MarkerShape::Star, colour: MARKER }];
    map
}

fn map_rgb() -> Vec<u8> {
    (0..MAP_H).flat_map(|y| (0..MAP_W).flat_map(move |x| map_pixel(x, y))).collect()
}

#[test]
fn map_png_shows_every_pixel_zoomed_the_colour_bar_and_the_marker_on_its_pixel() {
    let dir = tempdir();
    let path = dir.path().join("map.png");
    let rgb = map_rgb();
    anchor_map(&rgb).save(&path, &PhiGuard::default()).unwrap();
    let img = image::open(&path).unwrap().to_rgb8();
    assert!(img.width() > MAP_W * ZOOM && img.height() > MAP_H * ZOOM);
    let origin =
        img.enumerate_pixels().find(|(_, _, p)| p.0 == map_pixel(0, 0)).map(|(x, y, _)| (x, y)).unwrap();
    let (mx, my) = (origin.0 + 20 * ZOOM + ZOOM / 2, origin.1 + 6 * ZOOM + ZOOM / 2);
    let mut mismatched = 0;
    for y in 0..MAP_H * ZOOM {
        for x in 0..MAP_W * ZOOM {
            // The star and its outline reach about 14 px from its centre.
            let near_marker = x.abs_diff(mx - origin.0) <= 16 && y.abs_diff(my - origin.1) <= 16;
            let got = img.get_pixel(origin.0 + x, origin.1 + y).0;
            if !near_marker && got != map_pixel(x / ZOOM, y / ZOOM) {
                mismatched += 1;
            }
        }
    }
    assert_eq!(mismatched, 0, "the map is not shown pixel for pixel at zoom {ZOOM}");
    assert_eq!(img.get_pixel(mx, my).0, MARKER, "the star is not on its pixel");
    assert!(count(&img, MARKER) > 50);
    let bar_ends = [colormap(0.0), colormap(1.0)];
    for end in bar_ends {
        assert!(count(&img, end) >= 10, "the colour bar's end {end:?} is missing");
    }
    let low = img.enumerate_pixels().find(|(_, _, p)| p.0 == bar_ends[0]).unwrap().1;
    let high = img.enumerate_pixels().find(|(_, _, p)| p.0 == bar_ends[1]).unwrap().1;
    assert!(high < low, "high values belong at the top of the colour bar");
}

#[test]
fn map_svg_embeds_the_image_under_the_marker_with_ticks_and_title() {
    let dir = tempdir();
    let path = dir.path().join("map.svg");
    let rgb = map_rgb();
    anchor_map(&rgb).save(&path, &PhiGuard::default()).unwrap();
    let svg = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let order: Vec<_> = doc.descendants().map(|n| n.tag_name().name().to_string()).collect();
    let images: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("image")).collect();
    assert_eq!(images.len(), 2, "the map and the colour bar");
    let map = images[0];
    assert_eq!(map.attribute("width"), Some((MAP_W * ZOOM).to_string().as_str()));
    assert!(map.attribute("href").unwrap().starts_with("data:image/png;base64,"));
    let first_polygon = order.iter().position(|t| t == "polygon").expect("the star");
    let last_image = order.iter().rposition(|t| t == "image").unwrap();
    assert!(last_image < first_polygon, "the marker must be drawn over the map");
    let texts = svg_texts(&svg);
    for expected in ["Similarity to the anchor", "-1.00", "0.00", "1.00"] {
        assert!(texts.iter().any(|t| t == expected), "no text {expected:?} in {texts:?}");
    }
}

#[test]
fn map_refuses_bad_input_without_writing() {
    let dir = tempdir();
    let path = dir.path().join("map.png");
    let rgb = map_rgb();
    let mut outside = anchor_map(&rgb);
    outside.markers[0].x = MAP_W as f64;
    assert!(outside.save(&path, &PhiGuard::default()).unwrap_err().to_string().contains("outside"));
    assert!(MapFigure::new(MAP_W, MAP_H + 1, &rgb).save(&path, &PhiGuard::default()).is_err());
    let mut flat = anchor_map(&rgb);
    flat.colour_bar = Some(ColourBar::from_lut(0.5, 0.5, [[0; 3]; 256]));
    assert!(flat.save(&path, &PhiGuard::default()).is_err());
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

fn results_table(last_cell: &str) -> Table {
    Table {
        title: Some("Linear probe".into()),
        header: vec!["method".into(), "kNN, %".into(), "note".into()],
        rows: vec![
            vec!["SimCLR".into(), "71.5".into(), "said \"best\", twice".into()],
            vec!["BYOL".into(), "69.0".into(), last_cell.into()],
        ],
    }
}

#[test]
fn table_csv_reads_back_to_the_same_cells() {
    let dir = tempdir();
    let path = dir.path().join("results.csv");
    let table = results_table("line one\nline two, with comma");
    table.save(&path, &PhiGuard::default()).unwrap();
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, table.header);
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
    assert_eq!(rows, table.rows);
}

#[test]
fn table_renders_every_cell_and_widens_for_longer_text() {
    let dir = tempdir();
    let short = dir.path().join("short.png");
    let long = dir.path().join("long.png");
    results_table("ok").save(&short, &PhiGuard::default()).unwrap();
    results_table("a much longer remark than any other cell").save(&long, &PhiGuard::default()).unwrap();
    let (short, long) = (image::open(short).unwrap().to_rgb8(), image::open(long).unwrap().to_rgb8());
    assert_eq!(short.height(), long.height());
    assert!(long.width() > short.width() + 100, "{} vs {}", long.width(), short.width());
    assert!(short.pixels().filter(|p| p.0[0] < 100).count() > 200, "no text drawn");

    let svg_path = dir.path().join("t.svg");
    let table = results_table("ok");
    table.save(&svg_path, &PhiGuard::default()).unwrap();
    let texts = svg_texts(&std::fs::read_to_string(&svg_path).unwrap());
    for cell in table.header.iter().chain(table.rows.iter().flatten()).chain(table.title.as_ref()) {
        assert!(texts.contains(cell), "no text {cell:?} in {texts:?}");
    }
}

#[test]
fn table_refuses_ragged_rows_and_unknown_formats() {
    let dir = tempdir();
    let mut ragged = results_table("ok");
    ragged.rows[1].pop();
    assert!(ragged
        .save(&dir.path().join("t.csv"), &PhiGuard::default())
        .unwrap_err()
        .to_string()
        .contains("row 1"));
    let err = results_table("ok").save(&dir.path().join("t.xlsx"), &PhiGuard::default()).unwrap_err();
    assert!(err.to_string().contains(".csv, .png or .svg"), "{err}");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

fn patient_header() -> Metadata {
    let mut meta = Metadata::default();
    meta.push("(0010,0010)", "PatientName", "DOE^JOHN");
    meta.push("(0010,0020)", "PatientID", "PID-884213");
    meta.push("(0010,0030)", "PatientBirthDate", "19700101");
    meta.push("(0010,1030)", "PatientWeight", "72");
    meta.push("(0008,0060)", "Modality", "CT");
    meta
}

#[test]
fn phi_in_any_text_is_refused_and_never_written() {
    let dir = tempdir();
    let header = patient_header();
    let guard = PhiGuard::from_metadata([&header]);
    let assert_refused = |result: anyhow::Result<()>, field: &str| {
        let message = format!("{:#}", result.expect_err("PHI must be refused"));
        assert!(message.contains(field), "{message}");
        for value in ["doe", "john", "884213", "1970"] {
            assert!(!message.to_lowercase().contains(value), "the error repeats the PHI: {message}");
        }
    };

    let mut titled = two_runs();
    titled.title = Some("Loss of Doe, John".into());
    for ext in ["png", "svg"] {
        assert_refused(titled.save(&dir.path().join(format!("c.{ext}")), &guard), "PatientName");
    }
    let mut named = two_runs();
    named.series[1].name = "run for john".into();
    assert_refused(named.save(&dir.path().join("n.svg"), &guard), "PatientName");
    let rgb = map_rgb();
    let mut map = anchor_map(&rgb);
    map.title = Some("pid 884213 similarity".into());
    assert_refused(map.save(&dir.path().join("m.svg"), &guard), "PatientID");
    for ext in ["csv", "png"] {
        let path = dir.path().join(format!("t.{ext}"));
        assert_refused(results_table("born 1970-01-01").save(&path, &guard), "PatientBirthDate");
    }
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none(), "a refused export wrote a file");

    // Ordinary words and numbers pass: not a name part, not a whole-word ID, a short number.
    let clean = Table {
        title: None,
        header: vec!["modality".into(), "who".into(), "kNN".into()],
        rows: vec![vec!["CT".into(), "Johnson".into(), "0.884213 / 72".into()]],
    };
    let path = dir.path().join("clean.csv");
    clean.save(&path, &guard).unwrap();
    assert!(std::fs::read_to_string(&path).unwrap().contains("Johnson"));
}
