// `#[derive(Model)]` names everything by absolute path: it compiles without the prelude, beside
// user types named like the ones it uses, and a model nests in another.
#![no_implicit_prelude]

mod models {
    #[allow(dead_code)]
    pub struct Result;
    #[allow(dead_code)]
    pub struct String;
    #[allow(dead_code)]
    pub struct Box;

    #[derive(::lstm::Model)]
    #[model(residual)]
    pub struct Amp {
        pub rec: ::lstm::LstmLayer<f32, 1, 8, 2>,
        #[model(rename = "lin")]
        pub head: ::lstm::Linear<f32, 8, 1>,
    }

    #[derive(::lstm::Model)]
    pub struct Sized<const H: usize> {
        pub rec: ::lstm::LstmLayer<f32, 1, H>,
        pub lin: ::lstm::Linear<f32, H, 1>,
    }

    #[derive(::lstm::Model)]
    pub enum Either {
        Amp(Amp),
        Bare(::lstm::Linear<f32, 1, 1>),
    }

    #[derive(::lstm::Model)]
    pub enum Single {
        Only(Amp),
    }

    #[derive(::lstm::Model)]
    pub struct Outer {
        pub amp: Amp,
        pub tanh: ::lstm::Activation<::lstm::Tanh, f32, 1>,
    }
}

fn main() {
    use ::lstm::StreamingLayer;
    let _: [f32; models::Amp::PARAM_COUNT] = [0.0; 4 * 8 * (1 + 8 + 2) + 9];
    let outer = models::Outer {
        amp: models::Amp {
            rec: ::lstm::LstmLayer::zeros(),
            head: ::lstm::Linear::zeros(),
        },
        tanh: ::lstm::Activation::new(),
    };
    let mut state = ::lstm::Layer::zero_state(&outer);
    let y: [f32; 1] = outer.step(&[0.5], &mut state);
    ::std::assert_eq!(y, [0.5f32.tanh()]);
    ::std::assert_eq!(models::Outer::PARAM_COUNT, models::Amp::PARAM_COUNT);
    let either = models::Either::Bare(::lstm::Linear::zeros());
    let mut state = <models::EitherState as ::std::default::Default>::default();
    ::std::assert_eq!(either.step(&[0.5], &mut state), [0.0]);
    ::std::assert_eq!(models::Single::CANDIDATES, ["Only"]);
    let sized = models::Sized::<3> {
        rec: ::lstm::LstmLayer::zeros(),
        lin: ::lstm::Linear::zeros(),
    };
    ::std::assert_eq!(sized.step(&[0.5], &mut ::lstm::Layer::zero_state(&sized)), [0.0]);
    ::std::assert_eq!(models::Sized::<3>::PARAM_COUNT, 4 * 3 * (1 + 3 + 1) + 4);
}
