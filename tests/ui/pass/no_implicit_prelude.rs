// The generated code names everything by absolute path, so it compiles in a module without the
// prelude, for a spec and for a weight struct.
#![no_implicit_prelude]

mod specs {
    #[derive(::lstm::Lstm)]
    #[lstm(input = 3, hidden = 2)]
    pub struct Spec;

    #[derive(::lstm::Lstm)]
    #[lstm(input = 3, hidden = 2)]
    pub struct Cell {
        pub w_i: ::lstm::Matrix<f32, 2, 3>,
        pub u_i: ::lstm::Matrix<f32, 2, 2>,
        pub b_i: ::lstm::Vector<f32, 2>,
        pub w_f: ::lstm::Matrix<f32, 2, 3>,
        pub u_f: ::lstm::Matrix<f32, 2, 2>,
        pub b_f: ::lstm::Vector<f32, 2>,
        pub w_c: ::lstm::Matrix<f32, 2, 3>,
        pub u_c: ::lstm::Matrix<f32, 2, 2>,
        pub b_c: ::lstm::Vector<f32, 2>,
        pub w_o: ::lstm::Matrix<f32, 2, 3>,
        pub u_o: ::lstm::Matrix<f32, 2, 2>,
        pub b_o: ::lstm::Vector<f32, 2>,
    }
}

fn main() {
    let _: [f32; specs::Spec::PARAM_COUNT] = [0.0; 48];
    let _: [f32; specs::Cell::PARAM_COUNT] = [0.0; 48];
}
